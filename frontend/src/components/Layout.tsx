import { useRef } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { useAuth, type Me } from '../auth';
import { useFocusHeadingOnNavigate } from '../lib/focus';
import { ROLE_DESCRIPTION, ROLE_LABEL } from '../lib/roles';
import { Logo } from './Logo';
import { CodeIcon, KeyIcon, LogoutIcon, SettingsIcon, ShieldIcon, TokenIcon, UsersIcon } from './icons';

const PAGES = [
  { to: '/security-log', label: 'Security log', Icon: ShieldIcon },
  { to: '/team', label: 'Team', Icon: UsersIcon },
  { to: '/access-tokens', label: 'Access tokens', Icon: TokenIcon },
  { to: '/settings', label: 'Settings', Icon: SettingsIcon },
];

export function Layout({ me }: { me: Me }) {
  const { logout } = useAuth();
  const location = useLocation();
  const inApis = location.pathname === '/' || location.pathname.startsWith('/keys');
  const mainRef = useRef<HTMLElement>(null);
  useFocusHeadingOnNavigate(mainRef);
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-brand">
          <Logo />
          <div>
            <div className="brand-name">businesstools</div>
            <div className="brand-account" title={me.account.name}>
              {me.account.name}
            </div>
          </div>
        </div>
        <nav aria-label="Main" className="sidebar-nav">
          <ul>
            <li>
              <Link to="/keys" className={`nav-item${inApis ? ' active' : ''}`}>
                <CodeIcon />
                <span>APIs</span>
              </Link>
              <ul className="nav-sub">
                <li>
                  <NavLink to="/keys" className={({ isActive }) => `nav-subitem${isActive || inApis ? ' active' : ''}`} aria-current={inApis ? 'page' : undefined}>
                    <KeyIcon width={14} height={14} />
                    <span>API Key Management</span>
                  </NavLink>
                </li>
              </ul>
            </li>
            {PAGES.map(({ to, label, Icon }) => (
              <li key={to}>
                <NavLink to={to} className={({ isActive }) => `nav-item nav-page${isActive ? ' current' : ''}`}>
                  <Icon />
                  <span>{label}</span>
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="user">
            <span className="avatar" aria-hidden="true">
              {me.email.slice(0, 1).toUpperCase()}
            </span>
            <span className="user-text">
              <span className="user-email" title={me.email}>
                {me.email}
              </span>
              <span className="user-role" data-testid="my-role" title={ROLE_DESCRIPTION[me.role]}>
                <span className="sr-only">Role: </span>
                {ROLE_LABEL[me.role] ?? me.role}
              </span>
            </span>
          </div>
          <button type="button" className="button button-ghost button-sm button-block" onClick={() => void logout()}>
            <LogoutIcon />
            <span>Log out</span>
          </button>
        </div>
      </aside>
      <main id="main" className="main" ref={mainRef}>
        <Outlet />
      </main>
    </div>
  );
}
