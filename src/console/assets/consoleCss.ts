// The console's styles (served as /api/console/assets/console.css). See ../assets.ts for why this is a string.
export const source = String.raw`:root {
  --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; --accent: #0b57d0;
  --bad: #a40e26; --ok: #116329; --warn: #7d4e00;
  --bucket-writtenBack: #0b57d0; --bucket-legacyDefault: #b35900; --bucket-notWrittenBack: #6e7781;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg); line-height: 1.45;
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible, main:focus-visible, h1:focus-visible {
  outline: 3px solid #f59e0b; outline-offset: 2px;
}
h1:focus { outline: none; }
.skip-link { position: absolute; left: -9999px; top: 0; background: var(--bg); padding: .5rem 1rem; z-index: 10; }
.skip-link:focus { left: .5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
.brand { font-weight: 700; margin: 0; font-size: 1.1rem; }
.top nav ul { display: flex; gap: 1.25rem; list-style: none; margin: 0; padding: 0; }
.top nav a { text-decoration: none; font-weight: 600; padding: .25rem 0; }
.top nav a[aria-current="page"] { border-bottom: 3px solid var(--accent); }
.who { margin: 0 0 0 auto; color: var(--muted); font-size: .9rem; }
main { padding: 1rem 1.5rem 3rem; max-width: 90rem; }
.foot { padding: 0 1.5rem 1rem; color: var(--muted); font-size: .85rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .6rem; text-align: left; vertical-align: top; }
/* Group names can be 256 characters without a space: they wrap rather than widen the page. */
td { overflow-wrap: anywhere; max-width: 28rem; }
td button, td .button { overflow-wrap: normal; white-space: nowrap; }
th { background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: .5rem 0 1rem; padding: 0; list-style: none; }
.card { border: 1px solid var(--line); border-left-width: 6px; border-radius: 4px; padding: .6rem 1rem; min-width: 12rem; }
.card .count { font-size: 1.6rem; font-weight: 700; display: block; }
.card.writtenBack { border-left-color: var(--bucket-writtenBack); }
.card.legacyDefault { border-left-color: var(--bucket-legacyDefault); }
.card.notWrittenBack { border-left-color: var(--bucket-notWrittenBack); }
.swatch { display: inline-block; width: .9rem; height: .9rem; margin-right: .35rem; vertical-align: -1px; border: 1px solid var(--ink); }
.swatch.writtenBack, .bar.writtenBack { background: var(--bucket-writtenBack); fill: var(--bucket-writtenBack); }
.swatch.legacyDefault, .bar.legacyDefault { background: var(--bucket-legacyDefault); fill: var(--bucket-legacyDefault); }
.swatch.notWrittenBack, .bar.notWrittenBack { background: var(--bucket-notWrittenBack); fill: var(--bucket-notWrittenBack); }
.legend { list-style: none; display: flex; gap: 1.25rem; padding: 0; margin: .25rem 0; font-size: .9rem; }
.chart { max-width: 48rem; width: 100%; height: auto; border: 1px solid var(--line); background: var(--bg); }
.chart text { font-size: 11px; fill: var(--ink); }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
form.filters, form.panel { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; padding: .75rem 1rem; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0 1rem; }
form.panel { flex-direction: column; align-items: stretch; max-width: 40rem; }
.field { display: flex; flex-direction: column; gap: .2rem; }
.field label { font-weight: 600; font-size: .9rem; }
.hint { color: var(--muted); font-size: .85rem; margin: 0; }
input, select, textarea, button { font: inherit; }
input, select, textarea { padding: .35rem .5rem; border: 1px solid #8c959f; border-radius: 4px; background: var(--bg); color: var(--ink); }
button, .button { padding: .4rem .9rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: var(--bg); color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
button[disabled] { opacity: .6; cursor: not-allowed; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: .5rem 0; }
.message { padding: .6rem 1rem; border-radius: 4px; border: 1px solid var(--line); border-left-width: 6px; margin: .75rem 0; max-width: 60rem; }
.message.error { border-left-color: var(--bad); background: #fff5f5; }
.message.info { border-left-color: var(--accent); background: #f3f7ff; }
.message.success { border-left-color: var(--ok); background: #f2fbf4; }
.message p { margin: .2rem 0; }
.status-complete { color: var(--ok); }
.status-failed { color: var(--bad); }
.status-running { color: var(--warn); }
.severity-high { color: var(--bad); font-weight: 700; }
.severity-medium { color: var(--warn); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; }
.pager a[aria-current="page"] { font-weight: 700; text-decoration: none; border-bottom: 3px solid var(--accent); }
ul.plain { list-style: none; padding: 0; }
.alert-item { border-top: 1px solid var(--line); padding: .25rem 0 .75rem; }
.alert-item h2 { margin-top: .75rem; }
.pager { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.ack-form { margin-top: .5rem; display: flex; flex-direction: column; gap: .4rem; max-width: 28rem; }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
`;
