"""The report's stylesheet, inlined into the page (no outside fonts or files).

The chart colours are defined here once, by CSS class, and both the curves and their legend
swatches use those classes. Fonts are the platform's own UI fonts; numbers use tabular
figures so the columns of the tables line up.
"""

from __future__ import annotations

__all__ = ["CSS"]

_RULES = """
:root { --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f3f4f6; --card:#fff;
  --blue:#2563eb; --green:#15803d; --red:#b91c1c; }
* { box-sizing:border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  font-variant-numeric:tabular-nums; }
main { max-width:1180px; margin:0 auto; padding:28px 24px 40px; }
header h1 { margin:0 0 4px; font-size:26px; letter-spacing:-.01em; }
.sub { margin:0 0 20px; color:var(--muted); }
code { font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; background:#e5e7eb;
  padding:1px 5px; border-radius:4px; color:var(--ink); }
.status { text-transform:uppercase; font-size:11px; font-weight:700; letter-spacing:.05em;
  padding:2px 7px; border-radius:10px; background:#dcfce7; color:var(--green); }
.status-failed, .status-stopped { background:#fee2e2; color:var(--red); }
section { background:var(--card); border:1px solid var(--line); border-radius:10px;
  padding:18px 20px 20px; margin:0 0 18px; box-shadow:0 1px 2px rgba(0,0,0,.04);
  break-inside:avoid; }
h2 { font-size:15px; margin:0 0 12px; text-transform:uppercase; letter-spacing:.06em;
  color:#374151; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit,minmax(128px,1fr)); gap:0;
  padding:0; overflow:hidden; }
.kpi { padding:14px 16px; border-right:1px solid var(--line); }
.kpi:last-child { border-right:none; }
.kpi-label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.kpi-value { font-size:22px; font-weight:650; margin-top:2px; }
.pos { color:var(--green); } .neg { color:var(--red); }
.chart { width:100%; height:auto; display:block; margin:0 0 6px; }
.chart text { font-family:inherit; }
.grid { stroke:#eef0f3; stroke-width:1; }
.axis { stroke:#9ca3af; stroke-width:1; }
.tick { fill:var(--muted); font-size:11px; }
.axis-title { fill:#374151; font-size:12px; font-weight:600; }
.legend-text { fill:#374151; font-size:12px; }
.wt-0 { fill:none; stroke:#2563eb; stroke-width:1.8; stroke-linejoin:round; }
.wt-1 { fill:none; stroke:#dc2626; stroke-width:1.8; stroke-linejoin:round; }
.wt-2 { fill:none; stroke:#16a34a; stroke-width:1.8; stroke-linejoin:round; }
.wt-3 { fill:none; stroke:#d97706; stroke-width:1.8; stroke-linejoin:round; }
.wt-4 { fill:none; stroke:#7c3aed; stroke-width:1.8; stroke-linejoin:round; }
.wt-5 { fill:none; stroke:#0891b2; stroke-width:1.8; stroke-linejoin:round; }
.wt-6 { fill:none; stroke:#db2777; stroke-width:1.8; stroke-linejoin:round; }
.wt-7 { fill:none; stroke:#4b5563; stroke-width:1.8; stroke-linejoin:round; }
.eq-line { fill:none; stroke:var(--blue); stroke-width:1.8; stroke-linejoin:round; }
.eq-area { fill:var(--blue); fill-opacity:.07; stroke:none; }
.eq-end { fill:var(--blue); }
.bench-line { fill:none; stroke:#6b7280; stroke-width:1.4; stroke-dasharray:6 3; }
.start-line { stroke:#9ca3af; stroke-width:1; stroke-dasharray:2 3; }
.end-label { fill:var(--ink); font-size:11px; font-weight:600; }
.dd-area { fill:#dc2626; fill-opacity:.22; stroke:#dc2626; stroke-width:1; }
.dd-point { fill:#dc2626; }
.price-line { fill:none; stroke:#475569; stroke-width:1.2; stroke-linejoin:round; }
.m-entry { fill:var(--blue); stroke:#fff; stroke-width:.6; }
.m-win { fill:#16a34a; stroke:#fff; stroke-width:.6; }
.m-loss { fill:#dc2626; stroke:#fff; stroke-width:.6; }
.link-win { stroke:#16a34a; stroke-opacity:.55; stroke-width:1; stroke-dasharray:3 2; }
.link-loss { stroke:#dc2626; stroke-opacity:.55; stroke-width:1; stroke-dasharray:3 2; }
.heat-head, .heat-year { fill:#374151; font-size:12px; font-weight:600; }
.heat-none { fill:#f3f4f6; }
.cell-text { fill:var(--ink); font-size:11.5px; }
.cell-text-light { fill:#fff; font-size:11.5px; font-weight:600; }
.empty { fill:#9ca3af; font-size:14px; }
.metric-groups { display:grid; grid-template-columns:repeat(auto-fit,minmax(250px,1fr));
  gap:8px 28px; align-items:start; }
table { border-collapse:collapse; width:100%; }
caption { text-align:left; font-weight:700; font-size:12px; text-transform:uppercase;
  letter-spacing:.05em; color:var(--blue); padding:0 0 6px; }
.metrics th, .metrics td { padding:5px 0; border-bottom:1px solid var(--line); }
.metrics th { text-align:left; font-weight:normal; color:#374151; }
.metrics td { text-align:right; font-weight:600; white-space:nowrap; padding-left:12px; }
.data th, .data td { padding:6px 10px; border-bottom:1px solid var(--line); text-align:left; }
.data thead th { font-size:12px; color:var(--muted); text-transform:uppercase;
  letter-spacing:.04em; border-bottom:2px solid var(--line); }
.data tbody tr:nth-child(even) { background:#f9fafb; }
.data tfoot th, .data tfoot td { font-weight:700; border-bottom:none; }
.data .num { text-align:right; white-space:nowrap; }
.data .reason { word-break:break-word; }
.bar-cell { width:30%; }
.bar { display:block; height:10px; background:#93c5fd; border-radius:5px; min-width:2px; }
.price-grid { display:grid; grid-template-columns:repeat(auto-fit,minmax(480px,1fr)); gap:14px; }
figure.price { margin:0; border:1px solid var(--line); border-radius:8px; padding:8px 10px 4px; }
figcaption { font-size:13px; color:#374151; margin-bottom:2px; }
.two-col { display:grid; grid-template-columns:repeat(auto-fit,minmax(420px,1fr)); gap:0 18px; }
#trade-list, #sec-trade-list { overflow-x:auto; }
.note { color:var(--muted); font-size:12.5px; margin:8px 0 0; }
footer { color:var(--muted); font-size:12px; text-align:center; margin-top:8px; }
@media print { body { background:#fff; } section { box-shadow:none; } }
"""

CSS = " ".join(line.strip() for line in _RULES.strip().splitlines())
"""The stylesheet, one line per rule folded into one string."""
