// Browser module /api/console/assets/view-alerts.js: open and acknowledged alerts; Approvers acknowledge one
// with an optional note (the app records who). Written without template literals (see ../assets.ts).
export const source = String.raw`
import { h, clear, date, loadInto, hashWith, announce, errorMessage, who } from './dom.js';
import { api, url } from './api.js';

function ackForm(alert, context, cell) {
  const note = h('textarea', { id: 'note-' + alert.id, name: 'note', rows: '2', maxlength: '1000' });
  const feedback = h('div');
  const form = h('form', { class: 'ack-form', 'aria-label': 'Acknowledge alert ' + alert.title },
    h('label', { for: note.id }, 'Note (optional)'), note,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Acknowledge alert'),
      h('button', { type: 'button', class: 'secondary', onclick: () => { clear(cell); cell.append(ackButton(alert, context, cell)); cell.querySelector('button').focus(); } }, 'Cancel')),
    feedback);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    clear(feedback);
    try {
      await api('alerts/' + alert.id + '/acknowledge', { method: 'POST', body: { note: note.value.trim() || null } });
      announce('Alert acknowledged: ' + alert.title);
      context.refresh();
    } catch (error) {
      submit.disabled = false;
      feedback.append(errorMessage(error));
    }
  });
  return form;
}

function ackButton(alert, context, cell) {
  return h('button', { type: 'button', 'aria-label': 'Acknowledge: ' + alert.title, onclick: () => {
    clear(cell);
    const form = ackForm(alert, context, cell);
    cell.append(form);
    form.querySelector('textarea').focus();
  } }, 'Acknowledge…');
}

export async function renderAlerts(root, context) {
  context.setTitle('Alerts');
  const status = context.params.get('status') === 'acknowledged' ? 'acknowledged' : 'open';
  const continuation = context.params.get('continuation') || '';
  const list = h('div', { id: 'alert-list' });
  root.append(h('h1', null, 'Alerts'),
    h('nav', { class: 'pager', 'aria-label': 'Alert states' },
      h('a', { href: '#/alerts', 'aria-current': status === 'open' ? 'page' : null }, 'Open'),
      h('a', { href: hashWith('/alerts', { status: 'acknowledged' }), 'aria-current': status === 'acknowledged' ? 'page' : null }, 'Acknowledged')),
    context.canApprove || status !== 'open' ? '' : h('p', { class: 'message info', id: 'reader-note' }, 'Acknowledging an alert needs the Approver role; you can see alerts as a Reader.'),
    list);
  await loadInto(list, async () => {
    const page = await api(url('alerts', { status, continuation, top: 50 }));
    if (!page.alerts.length) return [h('p', null, status === 'open' ? 'No open alert.' : 'No acknowledged alert.')];
    const items = page.alerts.map((alert) => {
      const action = h('div');
      if (alert.status === 'open' && context.canApprove) action.append(ackButton(alert, context, action));
      if (alert.status === 'acknowledged') {
        action.append(h('p', null, 'Acknowledged by ' + who(alert.acknowledgedBy) + ' on ' + date(alert.acknowledgedAt)),
          alert.acknowledgementNote ? h('p', null, 'Note: ' + alert.acknowledgementNote) : null);
      }
      return h('li', { class: 'alert-item' },
        h('article', { 'aria-labelledby': 'alert-' + alert.id },
          h('h2', { id: 'alert-' + alert.id }, h('span', { class: 'severity-' + alert.severity }, alert.severity.toUpperCase()), ' ', alert.title),
          h('p', null, h('span', { class: 'mono' }, alert.ruleId), ' ', alert.ruleTitle, ' · occurred ', date(alert.occurredAt),
            alert.groupId ? [' · ', h('a', { href: '#/groups/' + encodeURIComponent(alert.groupId) }, 'group history')] : null,
            alert.fromScanId && alert.toScanId ? [' · ', h('a', { href: hashWith('/diff', { from: alert.fromScanId, to: alert.toScanId }) }, 'the diff')] : null),
          action));
    });
    const nodes = [h('ul', { class: 'plain', 'aria-label': status === 'open' ? 'Open alerts' : 'Acknowledged alerts' }, items)];
    if (page.continuation) nodes.push(h('nav', { class: 'pager', 'aria-label': 'Alert pages' }, h('a', { href: hashWith('/alerts', { status, continuation: page.continuation }) }, 'Older alerts')));
    return nodes;
  });
}
`;
