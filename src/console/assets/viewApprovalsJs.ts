// Browser module /api/console/assets/view-approvals.js: approvals of expected changes; Approvers create and
// revoke them, and each records who asked (the signed-in account). Written without template literals (see ../assets.ts).
export const source = String.raw`
import { h, clear, date, loadInto, field, select, announce, errorMessage, table, who, BUCKETS, BUCKET_LABELS, TARGET_TYPES } from './dom.js';
import { api } from './api.js';

function expectText(expect) {
  const parts = [];
  if (expect.bucket !== undefined) parts.push('bucket ' + (BUCKET_LABELS[expect.bucket] || expect.bucket));
  if (expect.effectiveTargetType !== undefined) parts.push('target type ' + (expect.effectiveTargetType || 'none'));
  if (expect.isEnabled !== undefined) parts.push('isEnabled ' + String(expect.isEnabled));
  if (expect.onPremisesGroupType !== undefined) parts.push('onPremisesGroupType ' + (expect.onPremisesGroupType || 'not set'));
  return parts.join(', ');
}

function inDays(days) {
  const d = new Date(Date.now() + days * 86400000);
  return d.toISOString().slice(0, 10);
}

function createForm(context, onCreated) {
  const groupId = h('input', { name: 'groupId', required: true, pattern: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', value: context.params.get('groupId') || '', autocomplete: 'off', size: '40' });
  const bucket = select('bucket', [['', 'Any bucket']].concat(BUCKETS.map((b) => [b, BUCKET_LABELS[b]])), 'writtenBack');
  const target = select('effectiveTargetType', [['', 'Any target type'], ['none', 'No target type']].concat(TARGET_TYPES.map((t) => [t, t])), '');
  const reason = h('textarea', { name: 'reason', required: true, minlength: '3', maxlength: '500', rows: '2' });
  const expires = h('input', { type: 'date', name: 'expiresOn', required: true, value: inDays(7), min: inDays(0), max: inDays(90) });
  const feedback = h('div', { id: 'approval-feedback' });
  const form = h('form', { class: 'panel', 'aria-labelledby': 'new-approval-heading', novalidate: true },
    h('h2', { id: 'new-approval-heading' }, 'Approve an expected change'),
    field('approval-group', 'Group id', groupId, 'The group\'s object id (a GUID), as shown in its history page or the Entra portal.'),
    field('approval-bucket', 'Expected bucket after the change', bucket),
    field('approval-target', 'Expected target type after the change', target),
    field('approval-reason', 'Reason', reason, 'Why the change is expected, e.g. the change ticket.'),
    field('approval-expires', 'Expires on (UTC, end of day)', expires, 'At most 90 days ahead.'),
    h('p', { class: 'hint' }, 'The approval records you (' + (context.me.principal.name || context.me.principal.userPrincipalName) + ') as the person who asked.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create approval')),
    feedback);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(feedback);
    const expect = {};
    if (bucket.value) expect.bucket = bucket.value;
    if (target.value) expect.effectiveTargetType = target.value === 'none' ? null : target.value;
    const problems = [];
    if (!groupId.checkValidity()) problems.push([groupId, 'Group id must be a GUID like 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0.']);
    if (!Object.keys(expect).length) problems.push([bucket, 'Choose the expected bucket or target type, so only that change is approved.']);
    if (reason.value.trim().length < 3) problems.push([reason, 'Say why (at least 3 characters).']);
    if (!expires.value) problems.push([expires, 'Choose when the approval expires.']);
    if (problems.length) {
      feedback.append(h('div', { class: 'message error', role: 'alert' }, h('p', null, 'The approval was not created:'), h('ul', null, problems.map(([, text]) => h('li', null, text)))));
      problems[0][0].focus();
      return;
    }
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const created = await api('approvals', { method: 'POST', body: { groupId: groupId.value.trim(), expect, reason: reason.value.trim(), expiresAt: expires.value + 'T23:59:59Z' } });
      announce('Approval created for group ' + created.groupId + '.');
      form.reset();
      onCreated(created);
    } catch (error) {
      feedback.append(errorMessage(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function renderApprovals(root, context) {
  context.setTitle('Approvals');
  const list = h('section', { 'aria-labelledby': 'approval-list-heading', id: 'approval-list' });
  const status = h('div', { id: 'approval-status' });
  root.append(h('h1', null, 'Approvals'),
    h('p', null, 'An approval announces a change before it is made: the alert that change would raise is suppressed, and the diff shows who approved it.'));
  if (context.canApprove) root.append(createForm(context, (created) => { status.textContent = ''; status.append(h('div', { class: 'message success', role: 'status' }, h('p', null, 'Approval created for group ' + created.groupId + ', recorded as asked by ' + who(created.requestedBy) + '.'))); reload(); }));
  else root.append(h('p', { class: 'message info', id: 'reader-note' }, 'Creating and revoking approvals needs the Approver role; you can see them as a Reader.'));
  root.append(status, list);
  function reload() {
    return loadInto(list, async () => {
      const data = await api('approvals');
      const heading = h('h2', { id: 'approval-list-heading' }, 'Approvals (' + data.approvals.length + ')');
      if (!data.approvals.length) return [heading, h('p', null, 'No approval is recorded.')];
      const headers = ['Group', 'Expects', 'Reason', 'Asked by', 'Created', 'Expires', 'State'];
      if (context.canApprove) headers.push('Action');
      return [heading, table('Approvals, soonest expiry first', headers, data.approvals.map((approval) => {
        const row = [h('a', { href: '#/groups/' + encodeURIComponent(approval.groupId), class: 'mono' }, approval.groupId), expectText(approval.expect), approval.reason, who(approval.requestedBy), date(approval.createdAt), date(approval.expiresAt),
          approval.revokedAt ? 'Revoked' + (approval.revokedBy ? ' by ' + who(approval.revokedBy) : '') + ' on ' + date(approval.revokedAt) : approval.live ? 'In force' : 'Expired'];
        if (context.canApprove && approval.revokedAt) row.push('–');
        else if (context.canApprove) {
          row.push(h('button', { type: 'button', class: 'danger', 'aria-label': 'Revoke the approval for group ' + approval.groupId + ' (' + approval.reason + ')', onclick: async (event) => {
            event.currentTarget.disabled = true;
            clear(status);
            try {
              await api('approvals/' + approval.id, { method: 'DELETE' });
              status.append(h('div', { class: 'message success', role: 'status' }, h('p', null, 'Approval for group ' + approval.groupId + ' revoked.')));
              announce('Approval revoked.');
              await reload();
              const heading = document.getElementById('approval-list-heading');
              if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
            } catch (error) {
              status.append(errorMessage(error));
            }
          } }, 'Revoke'));
        }
        return row;
      }), { id: 'approval-table' })];
    });
  }
  await reload();
}
`;
