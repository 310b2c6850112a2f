// SPDX-License-Identifier: MIT
// pages/projects.js: projects: create, list (with a link to each one's
// jobs), rename or describe, delete (refused while a job of it is active).
import { api, formValues } from '../api.js';
import { h, replace, field, dateTime, table, empty, pager } from '../dom.js';

export async function list(main, ctx) {
	const page = Number(ctx.query.get('page')) || 1;
	const out = h('div');
	const err = h('p', { class: 'error', role: 'alert' });
	const title = h('h2', { id: 'project-form-title', text: 'New project' });
	const btn = h('button', { type: 'submit', class: 'primary', text: 'Create project' });
	const cancel = h('button', { type: 'button', class: 'link', text: 'Cancel', hidden: true });
	const form = h('form', { class: 'card', 'aria-labelledby': 'project-form-title' }, title,
		field('Name', h('input', { name: 'name', id: 'project-name', required: true, maxlength: '200' })),
		field('Description (optional)', h('textarea', { name: 'description', id: 'project-description', rows: '2', maxlength: '10000' })),
		err, btn, cancel);
	let editing = null; // the project being changed, or null for a new one

	const reset = () => {
		editing = null;
		form.reset();
		title.textContent = 'New project';
		btn.textContent = 'Create project';
		cancel.hidden = true;
		err.textContent = '';
	};
	const edit = (p) => {
		editing = p;
		form.querySelector('#project-name').value = p.name;
		form.querySelector('#project-description').value = p.description || '';
		title.textContent = `Change project "${p.name}"`;
		btn.textContent = 'Save project';
		cancel.hidden = false;
		form.querySelector('#project-name').focus();
	};
	const remove = async (p) => {
		if (!window.confirm(`Delete project "${p.name}"? Its jobs stay, without a project.`)) return;
		try {
			await api('DELETE', `/projects/${p.id}`);
			ctx.flash(`Project "${p.name}" deleted.`);
			if (editing && editing.id === p.id) reset();
			load();
		} catch (x) {
			ctx.flash(x.status === 409 ? `Project "${p.name}" still has jobs that have not ended: cancel them or let them finish first.` : x.message, 'error');
		}
	};
	const load = async () => {
		try {
			const r = await api('GET', `/projects?page=${page}&page_size=20`);
			replace(out, r.items.length ? [table(['#', 'Name', 'Description', 'Created', ''], r.items.map((p) => [
				String(p.id), h('span', { text: p.name }), h('span', { class: 'muted', text: p.description || '' }), dateTime(p.created_at),
				h('div', { class: 'actions' },
					h('a', { class: 'button', href: `#/jobs?project_id=${p.id}`, text: 'Jobs', 'aria-label': `Jobs of ${p.name}` }),
					h('button', { type: 'button', text: 'Edit', 'aria-label': `Edit ${p.name}`, on: { click: () => edit(p) } }),
					h('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete ${p.name}`, on: { click: () => remove(p) } })),
			])), pager(page, 20, r.total, (n) => { location.hash = `#/projects?page=${n}`; })]
				: empty('No projects yet. A project groups jobs: films, experiments, anything you want to find together.'));
		} catch (x) {
			replace(out, h('p', { class: 'error', role: 'alert', text: x.message }));
		}
	};
	cancel.addEventListener('click', reset);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		const v = formValues(form);
		const body = { name: (v.name || '').trim() };
		if (!body.name) { err.textContent = 'Give the project a name.'; return; }
		body.description = (v.description || '').trim() || null;
		btn.disabled = true;
		try {
			if (editing) {
				await api('PUT', `/projects/${editing.id}`, { json: body });
				ctx.flash(`Project "${body.name}" saved.`);
			} else {
				await api('POST', '/projects', { json: body });
				ctx.flash(`Project "${body.name}" created.`);
			}
			reset();
			load();
		} catch (x) {
			err.textContent = x.message;
		} finally {
			btn.disabled = false;
		}
	});
	replace(main, h('h1', { text: 'Projects' }), out, form);
	await load();
}
