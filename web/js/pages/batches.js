// SPDX-License-Identifier: MIT
// pages/batches.js: batches with their progress, one batch with its jobs,
// and a small form to start a batch of commands.
import { api, formValues } from '../api.js';
import { h, replace, field, badge, progressBar, dateTime, table, empty, pager, every } from '../dom.js';
import { jobRow, JOB_COLUMNS } from './jobs.js';
import { splitCommand } from './submit.js';

const ENDED = ['completed', 'failed', 'cancelled', 'killed_no_credits', 'moderation_failed'];

function done(b) {
	const c = b.counts || {};
	return ENDED.reduce((n, s) => n + (c[s] || 0), 0);
}

function countsText(b) {
	return Object.entries(b.counts || {}).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s.replace(/_/g, ' ')}`).join(', ') || 'no jobs';
}

function createForm(ctx, after) {
	const err = h('p', { class: 'error', role: 'alert' });
	const form = h('form', { class: 'card' }, h('h2', { text: 'New batch of commands' }),
		field('Name', h('input', { name: 'name', id: 'batch-name', required: true, maxlength: '200' })),
		field('Commands', h('textarea', { name: 'commands', id: 'batch-commands', rows: '4', required: true, placeholder: 'python3 eval.py --split a\npython3 eval.py --split b' }),
			'One command per line; each becomes a job (1 GPU, 1 CPU, 1 GiB, 1 hour).'),
		field('At most at once (optional)', h('input', { name: 'max_parallel', id: 'batch-parallel', type: 'number', min: '1' })),
		err, h('button', { type: 'submit', class: 'primary', text: 'Create batch' }));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		try {
			const v = formValues(form);
			const jobs = (v.commands || '').split('\n').map((l) => l.trim()).filter(Boolean)
				.map((l, i) => ({ name: `${v.name}-${i + 1}`, command: splitCommand(l) }));
			if (!v.name || !jobs.length) throw new Error('Give the batch a name and at least one command.');
			const body = { name: v.name, jobs };
			if (v.max_parallel) body.max_parallel = Number(v.max_parallel);
			const b = await api('POST', '/job-batches', { json: body });
			ctx.flash(`Batch ${b.id} created with ${jobs.length} jobs.`);
			after(b);
		} catch (x) {
			err.textContent = x.message;
		}
	});
	return form;
}

export async function list(main, ctx) {
	const page = Number(ctx.query.get('page')) || 1;
	const out = h('div');
	replace(main, h('h1', { text: 'Batches' }), out,
		createForm(ctx, (b) => { location.hash = `#/batches/${b.id}`; }));
	const load = async (live) => {
		try {
			const r = await api('GET', `/job-batches?page=${page}&page_size=20`);
			if (!live()) return;
			replace(out, r.items.length ? [table(['#', 'Name', 'Status', 'Progress', 'Jobs', 'Created'], r.items.map((b) => [
				String(b.id), h('a', { href: `#/batches/${b.id}`, text: b.name }), badge(b.status),
				h('div', { class: 'progress-cell' }, progressBar(done(b), b.total, `batch ${b.id} progress`),
					h('span', { class: 'muted', text: ` ${done(b)} / ${b.total}` })),
				countsText(b), dateTime(b.created_at),
			])), pager(page, 20, r.total, (p) => { location.hash = `#/batches?page=${p}`; })]
				: empty('No batches yet. A batch runs many commands as one unit: create one below, or split a CSV with POST /api/v1/jobs/upload.'));
		} catch (x) {
			replace(out, h('p', { class: 'error', role: 'alert', text: x.message }));
		}
	};
	const loop = every(3000, load);
	await loop.now(true);
	return loop.stop;
}

export async function show(main, ctx) {
	const id = Number(ctx.params[0]);
	const out = h('div');
	const err = h('p', { class: 'error', role: 'alert' });
	replace(main, out, err);
	const load = async (live) => {
		try {
			const b = await api('GET', `/job-batches/${id}`);
			if (!live()) return;
			const active = b.total - done(b) > 0;
			replace(out, h('div', { class: 'page-head' }, h('h1', null, h('span', { text: b.name }), ' ', badge(b.status)),
				active ? h('button', { type: 'button', class: 'danger', text: 'Cancel batch', on: { click: async () => {
					if (!window.confirm(`Cancel every unfinished job of batch ${b.id}?`)) return;
					try { await api('POST', `/job-batches/${id}/cancel`, { json: {} }); ctx.flash('Batch cancelled.'); loop.now(); } catch (x) { err.textContent = x.message; }
				} } }) : null),
			h('p', null, progressBar(done(b), b.total, 'batch progress'), ` ${done(b)} of ${b.total} ended — ${countsText(b)}`),
			b.jobs && b.jobs.length ? table(JOB_COLUMNS, b.jobs.map(jobRow)) : empty('This batch has no jobs.'));
		} catch (x) {
			err.textContent = x.message;
		}
	};
	const loop = every(3000, load);
	await loop.now(true);
	return loop.stop;
}
