import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface UsagePoint {
  day: string;
  count: number;
}

function shortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? day
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Requests per day as bars. Loaded lazily with the detail page (recharts is the biggest dependency). */
export default function UsageChart({ points }: { points: UsagePoint[] }) {
  const data = points.map((p) => ({ ...p, label: shortDay(p.day) }));
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} stroke="#eef0f4" />
          <XAxis dataKey="label" tickLine={false} axisLine={false} interval="preserveStartEnd" minTickGap={24} fontSize={12} stroke="#6b7280" />
          <YAxis allowDecimals={false} tickLine={false} axisLine={false} fontSize={12} stroke="#6b7280" width={48} />
          <Tooltip
            cursor={{ fill: 'rgba(79,70,229,0.06)' }}
            formatter={(v) => [v, 'Requests']}
            labelFormatter={(l) => String(l)}
            contentStyle={{ borderRadius: 8, border: '1px solid #e5e7eb', fontSize: 13 }}
          />
          <Bar dataKey="count" name="Requests" fill="#4f46e5" radius={[4, 4, 0, 0]} maxBarSize={24} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
