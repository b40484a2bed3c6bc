// A minimal SMTP receiver for the end-to-end test: the server under test is
// started with BT_SMTP_URL pointing here, so the test reads the real emails it
// sends (invites, leak notices) the way a mail server would get them. Plain
// SMTP on loopback, no TLS, no auth; just enough of RFC 5321 for one client.

import { createServer } from 'node:net';

/** Starts the receiver on a free loopback port. */
export async function startMailSink() {
  const messages = [];
  const waiters = new Set();
  const server = createServer((socket) => {
    socket.setEncoding('latin1');
    let buffer = '';
    let envelope = { from: '', to: [] };
    let inData = false;
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 localhost e2e mail sink');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          // Undo dot-stuffing; the body is bytes, kept as latin1 until decoded.
          const raw = buffer.slice(0, end).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          inData = false;
          messages.push(parseMessage(raw, envelope));
          envelope = { from: '', to: [] };
          reply('250 OK: queued');
          for (const w of waiters) w();
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760');
        else if (verb === 'HELO') reply('250 localhost');
        else if (verb === 'MAIL') {
          envelope.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          reply('250 OK');
        } else if (verb === 'RCPT') {
          envelope.to.push((/<([^>]*)>/.exec(line)?.[1] ?? '').toLowerCase());
          reply('250 OK');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'RSET') {
          envelope = { from: '', to: [] };
          reply('250 OK');
        } else if (verb === 'NOOP') reply('250 OK');
        else if (verb === 'QUIT') {
          reply('221 Bye');
          socket.end();
          return;
        } else reply('502 Command not implemented');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Waits for a message matching `pred`, up to `timeout` ms. */
    async waitFor(pred, timeout = 15000) {
      const found = () => messages.find(pred);
      if (found()) return found();
      return new Promise((resolve, reject) => {
        const done = () => {
          const m = found();
          if (!m) return;
          clearTimeout(t);
          waiters.delete(done);
          resolve(m);
        };
        const t = setTimeout(() => {
          waiters.delete(done);
          reject(new Error(`no email matching within ${timeout} ms; got: ${messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ') || 'none'}`));
        }, timeout);
        waiters.add(done);
      });
    },
    close: () => new Promise((res) => server.close(() => res())),
  };
}

function parseHeaders(block) {
  const headers = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function decodeQP(s) {
  const bytes = Buffer.from(s.replace(/=\r?\n/g, ''), 'latin1');
  const out = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x3d && /^[0-9A-Fa-f]{2}$/.test(bytes.toString('latin1', i + 1, i + 3))) {
      out.push(parseInt(bytes.toString('latin1', i + 1, i + 3), 16));
      i += 2;
    } else out.push(bytes[i]);
  }
  return Buffer.from(out).toString('utf8');
}

function decodeBody(body, headers) {
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'quoted-printable') return decodeQP(body);
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return Buffer.from(body, 'latin1').toString('utf8');
}

/** RFC 2047 encoded words (=?UTF-8?q?…?= / =?UTF-8?b?…?=) in a header. */
export function decodeWords(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([qQbB])\?([^?]*)\?=/g, (_, _charset, enc, text) =>
      enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : decodeQP(text.replace(/_/g, ' ')),
    );
}

function parts(raw, headers) {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || !boundary) return [{ type: type.split(';')[0].toLowerCase(), text: decodeBody(raw, headers) }];
  const out = [];
  for (const chunk of raw.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const body = chunk.replace(/^\r\n/, '');
    const split = body.indexOf('\r\n\r\n');
    const h = parseHeaders(split < 0 ? body : body.slice(0, split));
    out.push(...parts(split < 0 ? '' : body.slice(split + 4).replace(/\r\n$/, ''), h));
  }
  return out;
}

function parseMessage(raw, envelope) {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const all = parts(raw.slice(split + 4), headers);
  return {
    from: envelope.from,
    to: envelope.to,
    subject: decodeWords(headers.subject ?? ''),
    text: all.filter((p) => p.type === 'text/plain').map((p) => p.text).join('\n'),
    html: all.filter((p) => p.type === 'text/html').map((p) => p.text).join('\n'),
  };
}
