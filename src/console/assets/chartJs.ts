// Browser module /api/console/assets/chart.js: the buckets of the retained scans as stacked bars (inline
// SVG), with a text summary and the numbers as a table, so the trend is seen, read aloud and never shown by
// colour alone. Written without template literals so it can live in a String.raw (see ../assets.ts).
export const source = String.raw`
import { h, s, BUCKETS, BUCKET_LABELS, number, date, table } from './dom.js';

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { left: 56, right: 12, top: 12, bottom: 40 };

/** scans: complete scans, any order; drawn oldest on the left. */
export function bucketChart(scans) {
  const ordered = scans.slice().sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
  const wrapper = h('figure', { class: 'chart-figure' });
  if (ordered.length === 0) {
    wrapper.append(h('p', null, 'No complete scan yet: the chart appears after the first one.'));
    return wrapper;
  }
  const max = Math.max(1, ...ordered.map((scan) => scan.counts.total));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / ordered.length;
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  const trend = BUCKETS.map((bucket) => BUCKET_LABELS[bucket] + ' ' + number(first.counts.byBucket[bucket]) + ' to ' + number(last.counts.byBucket[bucket])).join('; ');
  const summary = ordered.length === 1
    ? 'One complete scan on ' + date(first.startedAt) + ': ' + BUCKETS.map((b) => BUCKET_LABELS[b] + ' ' + number(first.counts.byBucket[b])).join('; ') + '.'
    : ordered.length + ' complete scans from ' + date(first.startedAt) + ' to ' + date(last.startedAt) + '. ' + trend + '.';

  const bars = [];
  ordered.forEach((scan, i) => {
    let y = PAD.top + plotH;
    const x = PAD.left + i * slot + (slot - barW) / 2;
    for (const bucket of BUCKETS) {
      const value = scan.counts.byBucket[bucket] || 0;
      const height = (value / max) * plotH;
      y -= height;
      bars.push(s('rect', { class: 'bar ' + bucket, x: x.toFixed(1), y: y.toFixed(1), width: barW.toFixed(1), height: height.toFixed(1) },
        s('title', null, date(scan.startedAt) + ', ' + BUCKET_LABELS[bucket] + ': ' + number(value))));
    }
  });
  const ticks = [0, 0.5, 1].map((f) => {
    const y = PAD.top + plotH - f * plotH;
    return s('g', null,
      s('line', { class: 'axis', x1: PAD.left - 4, x2: PAD.left, y1: y, y2: y }),
      s('text', { x: PAD.left - 8, y: y + 4, 'text-anchor': 'end' }, number(Math.round(max * f))));
  });
  const svg = s('svg', { class: 'chart', viewBox: '0 0 ' + WIDTH + ' ' + HEIGHT, role: 'img', 'aria-labelledby': 'chart-title chart-desc' },
    s('title', { id: 'chart-title' }, 'Groups per bucket in each retained scan'),
    s('desc', { id: 'chart-desc' }, summary),
    s('line', { class: 'axis', x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: PAD.top + plotH }),
    s('line', { class: 'axis', x1: PAD.left, x2: WIDTH - PAD.right, y1: PAD.top + plotH, y2: PAD.top + plotH }),
    ticks, bars,
    s('text', { x: PAD.left, y: HEIGHT - 12 }, date(first.startedAt).slice(0, 10)),
    ordered.length > 1 ? s('text', { x: WIDTH - PAD.right, y: HEIGHT - 12, 'text-anchor': 'end' }, date(last.startedAt).slice(0, 10)) : null);
  wrapper.append(
    svg,
    h('figcaption', null,
      h('ul', { class: 'legend', 'aria-label': 'Legend' }, BUCKETS.map((bucket) => h('li', null, h('span', { class: 'swatch ' + bucket, 'aria-hidden': 'true' }), BUCKET_LABELS[bucket] + ' (' + (BUCKETS.indexOf(bucket) === 0 ? 'bottom' : BUCKETS.indexOf(bucket) === 1 ? 'middle' : 'top') + ')'))),
      h('p', { class: 'hint' }, summary)),
    h('details', null, h('summary', null, 'Chart data as a table'),
      table('Groups per bucket by scan', ['Scan started', { text: BUCKET_LABELS.writtenBack, num: true }, { text: BUCKET_LABELS.legacyDefault, num: true }, { text: BUCKET_LABELS.notWrittenBack, num: true }, { text: 'Total', num: true }],
        ordered.map((scan) => [date(scan.startedAt), { num: scan.counts.byBucket.writtenBack }, { num: scan.counts.byBucket.legacyDefault }, { num: scan.counts.byBucket.notWrittenBack }, { num: scan.counts.total }]),
        { rowHeaders: true })));
  return wrapper;
}
`;
