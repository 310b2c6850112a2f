// SPDX-License-Identifier: MIT
// pages/datasets.js: upload (with progress), list, download, delete.
import { api, upload, redirectTarget } from '../api.js';
import { h, replace, field, bytes, dateTime, table, empty, pager, uploadProgress } from '../dom.js';

export async function list(main, ctx) {
	const page = Number(ctx.query.get('page')) || 1;
	const out = h('div');
	const err = h('p', { class: 'error', role: 'alert' });
	const up = uploadProgress('dataset-progress', 'Uploaded; the server is storing it…');
	const btn = h('button', { type: 'submit', class: 'primary', text: 'Upload' });
	const form = h('form', { class: 'card' }, h('h2', { text: 'Upload a data set' }),
		field('File', h('input', { type: 'file', name: 'file', id: 'dataset-file', required: true, accept: '.zip,.tar,.tgz,.gz,.csv' }), 'zip, tar, tar.gz or csv.'),
		field('Name', h('input', { name: 'name', id: 'dataset-name', maxlength: '200' }), 'Defaults to the file name.'),
		field('Description (optional)', h('input', { name: 'description', id: 'dataset-description' })),
		up.box, err, btn);

	const load = async () => {
		try {
			const r = await api('GET', `/datasets?page=${page}&page_size=20`);
			replace(out, r.items.length ? [table(['#', 'Name', 'File', 'Format', 'Size', 'Uploaded', ''], r.items.map((d) => [
				String(d.id), h('span', { text: d.name }), h('code', { text: d.filename }), d.format, bytes(d.size_bytes), dateTime(d.created_at),
				h('div', { class: 'actions' },
					h('button', { type: 'button', text: 'Download', 'aria-label': `Download ${d.name}`, on: { click: () => download(d) } }),
					h('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete ${d.name}`, on: { click: () => remove(d) } })),
			])), pager(page, 20, r.total, (p) => { location.hash = `#/datasets?page=${p}`; })]
				: empty('No data sets yet. Upload a zip, tar or csv above; script jobs find it in /workspace/data.'));
		} catch (x) {
			replace(out, h('p', { class: 'error', role: 'alert', text: x.message }));
		}
	};
	const download = async (d) => {
		try {
			const url = await redirectTarget(`/datasets/${d.id}/download`);
			const a = h('a', { href: url, download: d.filename });
			document.body.append(a);
			a.click();
			a.remove();
		} catch (x) {
			ctx.flash(x.message, 'error');
		}
	};
	const remove = async (d) => {
		if (!window.confirm(`Delete data set "${d.name}"?`)) return;
		try {
			await api('DELETE', `/datasets/${d.id}`);
			ctx.flash('Data set deleted.');
			load();
		} catch (x) {
			ctx.flash(x.message, 'error');
		}
	};
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		const files = form.querySelector('#dataset-file').files;
		if (!files.length) { err.textContent = 'Choose a file to upload.'; return; }
		const fd = new FormData();
		fd.append('file', files[0]);
		const name = form.querySelector('#dataset-name').value.trim();
		const desc = form.querySelector('#dataset-description').value.trim();
		fd.append('name', name || files[0].name);
		if (desc) fd.append('description', desc);
		const d = await up.run(btn, err, () => upload('POST', '/datasets', fd, up.onProgress));
		up.hide();
		if (!d) return;
		ctx.flash(`Data set "${d.name}" uploaded (${bytes(d.size_bytes)}).`);
		form.reset();
		load();
	});
	replace(main, h('h1', { text: 'Data sets' }), out, form);
	await load();
}
