// SPDX-License-Identifier: MIT
// pages/jobs.js: the jobs list: filters, paging, live refresh.
import { api, isStaff } from '../api.js';
import { h, replace, field, select, badge, progressBar, waitWords, money, dateTime, table, empty, pager, every } from '../dom.js';

const STATUS = [
	['', 'Any status'], ['pending,moderating,preparing,running', 'Active'], ['pending', 'Pending'],
	['running', 'Running'], ['completed', 'Completed'], ['failed,killed_no_credits,moderation_failed', 'Failed'],
	['cancelled', 'Cancelled'],
];
const KIND = [['', 'Any kind'], ['command', 'Command'], ['script', 'Script'], ['render', 'Render'], ['shard', 'Shard'], ['training', 'Training']];
const REFRESH_MS = 3000; // 20 requests a minute: well inside the per-user rate limit

export function jobRow(j) {
	return [
		String(j.id),
		h('a', { href: `#/jobs/${j.id}`, class: 'job-link', text: j.name || `job ${j.id}` }),
		j.kind,
		badge(j.status),
		h('div', { class: 'progress-cell' }, progressBar(j.progress, 100, `progress of job ${j.id}`),
			h('span', { class: 'muted', text: ` ${Math.round(j.progress || 0)} %` })),
		j.status === 'pending' ? h('span', { class: 'wait', text: waitWords(j.wait_reason) }) :
			(j.failure_reason ? h('span', { class: 'error', text: j.failure_reason.replace(/_/g, ' ') }) : ''),
		money(j.actual_cost || j.estimated_cost),
		dateTime(j.created_at),
	];
}

export const JOB_COLUMNS = ['#', 'Name', 'Kind', 'Status', 'Progress', 'Why', 'Cost', 'Submitted'];

export async function list(main, ctx) {
	const q = ctx.query;
	const state = {
		status: q.get('status') || '', kind: q.get('kind') || '', page: Number(q.get('page')) || 1,
		pageSize: 20, all: q.get('all') === '1', project: /^\d+$/.test(q.get('project_id') || '') ? q.get('project_id') : '',
	};
	const statusSel = select('status', STATUS, state.status);
	const kindSel = select('kind', KIND, state.kind);
	const allBox = h('input', { type: 'checkbox', name: 'all', checked: state.all });
	const filters = h('form', { class: 'filters', role: 'search' },
		field('Status', statusSel), field('Kind', kindSel),
		isStaff(ctx.user) ? h('div', { class: 'field check' }, allBox, h('label', { text: 'Every user\'s jobs', for: (allBox.id = 'all-users') })) : null);
	const live = h('p', { class: 'muted live', 'aria-live': 'off' });
	const scope = state.project ? h('p', { class: 'scope' }, `Jobs of project ${state.project}. `,
		h('a', { href: '#/jobs', text: 'Show all jobs' })) : null;
	const out = h('div', { class: 'jobs-out' });
	replace(main, h('div', { class: 'page-head' }, h('h1', { text: 'Jobs' }),
		h('a', { class: 'button primary', href: '#/submit', text: 'Submit a job' })), scope, filters, out, live);

	const go = (page) => {
		const p = new URLSearchParams();
		if (statusSel.value) p.set('status', statusSel.value);
		if (kindSel.value) p.set('kind', kindSel.value);
		if (allBox.checked) p.set('all', '1');
		if (state.project) p.set('project_id', state.project);
		if (page > 1) p.set('page', String(page));
		const s = p.toString();
		location.hash = `#/jobs${s ? `?${s}` : ''}`;
	};
	filters.addEventListener('change', () => go(1));
	filters.addEventListener('submit', (e) => e.preventDefault());

	const load = async (live) => {
		const p = new URLSearchParams({ page: String(state.page), page_size: String(state.pageSize) });
		if (state.status) p.set('status', state.status);
		if (state.kind) p.set('kind', state.kind);
		if (state.all) p.set('all', 'true');
		if (state.project) p.set('project_id', state.project);
		try {
			const r = await api('GET', `/jobs?${p}`);
			if (!live()) return;
			if (!r.items.length) {
				replace(out, state.status || state.kind || state.project ? empty('No jobs match these filters. Clear them to see all your jobs.')
					: empty('You have no jobs yet. Submit a command, a script or a film to see it here.',
						h('a', { class: 'button primary', href: '#/submit', text: 'Submit your first job' })));
			} else {
				replace(out, table(JOB_COLUMNS, r.items.map(jobRow)), pager(state.page, state.pageSize, r.total, go));
			}
			live.textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every ${REFRESH_MS / 1000} s.`;
		} catch (err) {
			if (live()) replace(out, h('p', { class: 'error', role: 'alert', text: err.message }));
		}
	};
	const loop = every(REFRESH_MS, load);
	await loop.now(true);
	return loop.stop;
}
