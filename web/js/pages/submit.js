// SPDX-License-Identifier: MIT
// pages/submit.js: the four ways to submit: a command, a script with a
// data set (upload with progress), a CSV split into a batch of shards, a
// film (live quote as fields change).
import { api, upload, formValues } from '../api.js';
import { h, replace, field, checkbox, select, money, uid, uploadProgress } from '../dom.js';

// Splits a command line into argv: whitespace separates, '…' and "…"
// quote, backslash escapes. No shell runs it: kiln executes argv as is.
export function splitCommand(line) {
	const out = [];
	let cur = '';
	let quote = null;
	let any = false;
	for (let i = 0; i < line.length; i += 1) {
		const c = line[i];
		if (quote) {
			if (c === quote) quote = null;
			else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[(i += 1)];
			else cur += c;
		} else if (c === '"' || c === '\'') {
			quote = c;
			any = true;
		} else if (c === '\\' && i + 1 < line.length) {
			cur += line[(i += 1)];
			any = true;
		} else if (/\s/.test(c)) {
			if (any || cur) out.push(cur);
			cur = '';
			any = false;
		} else {
			cur += c;
		}
	}
	if (quote) throw new Error('The command has an unclosed quote.');
	if (any || cur) out.push(cur);
	return out;
}

function parseEnv(text) {
	const env = {};
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (!line) continue;
		const eq = line.indexOf('=');
		if (eq < 1) throw new Error(`Environment line "${line}" is not NAME=value.`);
		env[line.slice(0, eq)] = line.slice(eq + 1);
	}
	return env;
}

function resourceFields(prefix) {
	return h('fieldset', { class: 'resources' }, h('legend', { text: 'Resources' }),
		field('GPUs', h('input', { name: 'gpus', type: 'number', min: '0', max: '16', value: '1', id: `${prefix}-gpus` })),
		field('CPU cores', h('input', { name: 'cpu_count', type: 'number', min: '1', max: '256', value: '1', id: `${prefix}-cpus` })),
		field('Memory', h('input', { name: 'memory_limit', value: '1g', id: `${prefix}-mem` }), 'e.g. 512m, 8g'),
		field('Time limit (seconds)', h('input', { name: 'timeout_seconds', type: 'number', min: '1', max: '604800', value: '3600', id: `${prefix}-timeout` })));
}

function resources(v) {
	const r = {};
	if (v.gpus !== '') r.gpus = Number(v.gpus);
	if (v.cpu_count !== '') r.cpu_count = Number(v.cpu_count);
	if (v.memory_limit) r.memory_limit = v.memory_limit;
	if (v.timeout_seconds !== '') r.timeout_seconds = Number(v.timeout_seconds);
	return r;
}

// A quote box fed by POST /jobs/estimate-cost whenever body() changes.
function quoteBox(form, body) {
	const box = h('div', { class: 'quote', 'aria-live': 'polite' }, h('p', { class: 'muted', text: 'Estimating…' }));
	let timer = null;
	let seq = 0;
	const run = async () => {
		const mine = (seq += 1);
		let b;
		try {
			b = body();
		} catch (x) {
			replace(box, h('p', { class: 'error', text: x.message }));
			return;
		}
		try {
			const q = await api('POST', '/jobs/estimate-cost', { json: b });
			if (mine !== seq) return;
			const parts = Object.entries(q.breakdown || {}).map(([k, v]) =>
				h('li', null, `${k.replace(/_/g, ' ')}: `, money(v)));
			replace(box,
				h('p', null, 'Estimated cost: ', h('strong', { class: 'estimate', text: money(q.estimated_cost) })),
				parts.length ? h('ul', { class: 'breakdown' }, parts) : null,
				q.within_limit === false ? h('p', { class: 'error', text: `Above the maximum cost per job (${money(q.max_job_cost)}): it would be refused.` }) : null);
		} catch (x) {
			if (mine === seq) replace(box, h('p', { class: 'error', text: `No estimate: ${x.message}` }));
		}
	};
	const later = () => { clearTimeout(timer); timer = setTimeout(run, 250); };
	form.addEventListener('input', later);
	form.addEventListener('change', later);
	run();
	return { box, stop: () => { clearTimeout(timer); seq += 1; } };
}

// An optional project for the job: a select filled from the caller's
// projects once they arrive. value() is the chosen id, or null.
function projectField(prefix) {
	const sel = h('select', { name: 'project_id', id: `${prefix}-project` }, h('option', { value: '', text: 'None' }));
	api('GET', '/projects?page_size=100').then((r) => {
		for (const p of r.items) sel.append(h('option', { value: String(p.id), text: p.name }));
	}).catch(() => {});
	return {
		field: field('Project (optional)', sel, 'Group the job with others; manage projects under Projects.'),
		value: () => (sel.value ? Number(sel.value) : null),
	};
}

function submitted(ctx, job) {
	ctx.flash(`Job ${job.id} submitted.`);
	location.hash = `#/jobs/${job.id}`;
}

function commandForm(ctx) {
	const err = h('p', { class: 'error', role: 'alert' });
	const form = h('form', { class: 'card', 'aria-labelledby': 'cmd-title' },
		h('h2', { id: 'cmd-title', text: 'Command job' }),
		h('p', { class: 'muted', text: 'A program and its arguments, run without a shell in /workspace. Write files for download to $KILN_OUTPUT_DIR (use sh -c \'…\' for shell syntax).' }),
		field('Name', h('input', { name: 'name', id: 'cmd-name', maxlength: '200', placeholder: 'nightly-tests' })),
		field('Command', h('input', { name: 'command', id: 'cmd-command', required: true, placeholder: 'python3 train.py --epochs 3' }),
			'Arguments separated by spaces; quote an argument that has spaces.'),
		field('Environment (optional)', h('textarea', { name: 'env', id: 'cmd-env', rows: '2', placeholder: 'BUILD_MODE=release' }), 'One NAME=value per line.'),
		resourceFields('cmd'));
	const project = projectField('cmd');
	form.insertBefore(project.field, form.querySelector('fieldset.resources'));
	const body = () => {
		const v = formValues(form);
		const b = { command: splitCommand(v.command || '') };
		if (!b.command.length) throw new Error('Enter a command to run.');
		if (v.name) b.name = v.name;
		const env = parseEnv(v.env || '');
		if (Object.keys(env).length) b.env = env;
		if (project.value()) b.project_id = project.value();
		b.resources = resources(v);
		return b;
	};
	const quote = quoteBox(form, () => resources(formValues(form)));
	const btn = h('button', { type: 'submit', class: 'primary', text: 'Submit command job' });
	form.append(quote.box, err, btn);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		btn.disabled = true;
		try {
			submitted(ctx, await api('POST', '/jobs', { json: body() }));
		} catch (x) {
			err.textContent = x.message;
		} finally {
			btn.disabled = false;
		}
	});
	return { form, stop: quote.stop };
}

function scriptForm(ctx) {
	const err = h('p', { class: 'error', role: 'alert' });
	const up = uploadProgress('script-upload-progress', 'Uploaded; the server is storing the files…');
	const form = h('form', { class: 'card', 'aria-labelledby': 'script-title' },
		h('h2', { id: 'script-title', text: 'Script job with a data set' }),
		h('p', { class: 'muted', text: 'Upload a script (its extension picks the interpreter: .py, .sh, .R, …) and, if you like, a data set (zip, tar, tar.gz or csv) that the job finds in /workspace/data.' }),
		field('Name', h('input', { name: 'name', id: 'script-name', maxlength: '200' })),
		field('Script file', h('input', { name: 'script_file', id: 'script-file', type: 'file', required: true })),
		field('Data set file (optional)', h('input', { name: 'dataset_file', id: 'script-data', type: 'file', accept: '.zip,.tar,.tgz,.gz,.csv' })),
		field('requirements.txt (optional)', h('input', { name: 'requirements_file', id: 'script-req', type: 'file', accept: '.txt' })),
		field('Image', h('input', { name: 'docker_image', id: 'script-image', placeholder: 'python:3.11' }), 'Optional; mapped by the host\'s image list.'),
		resourceFields('script'), up.box, err);
	const btn = h('button', { type: 'submit', class: 'primary', text: 'Upload and submit' });
	form.append(btn);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		const v = formValues(form);
		const files = form.querySelector('#script-file').files;
		if (!files.length) { err.textContent = 'Choose a script file.'; return; }
		const jobData = { resource_config: resources(v) };
		if (v.name) jobData.name = v.name;
		if (v.docker_image) jobData.docker_image = v.docker_image;
		const fd = new FormData();
		fd.append('script_file', files[0]);
		const data = form.querySelector('#script-data').files;
		if (data.length) fd.append('dataset_file', data[0]);
		const req = form.querySelector('#script-req').files;
		if (req.length) fd.append('requirements_file', req[0]);
		fd.append('job_data', JSON.stringify(jobData));
		const job = await up.run(btn, err, () => upload('POST', '/jobs', fd, up.onProgress));
		if (job) submitted(ctx, job);
	});
	return { form, stop: () => {} };
}

function shardsForm(ctx) {
	const err = h('p', { class: 'error', role: 'alert' });
	const up = uploadProgress('shards-upload-progress', 'Uploaded; the server is splitting the rows…');
	const form = h('form', { class: 'card', 'aria-labelledby': 'shards-title' },
		h('h2', { id: 'shards-title', text: 'CSV in shards' }),
		h('p', { class: 'muted', text: 'One script runs on each shard of a CSV: kiln splits the rows (the header repeated in each shard) into a batch of jobs. A job finds its shard as $KILN_DATA_FILE, and $KILN_SHARD of $KILN_SHARDS.' }),
		field('Title', h('input', { name: 'title', id: 'shards-title-input', required: true, maxlength: '200', placeholder: 'My training job' })),
		field('Script file', h('input', { name: 'file_code', id: 'shards-code', type: 'file', required: true })),
		field('CSV file', h('input', { name: 'file_data', id: 'shards-data', type: 'file', required: true, accept: '.csv,text/csv' })),
		field('requirements.txt (optional)', h('input', { name: 'file_req', id: 'shards-req', type: 'file', accept: '.txt' })),
		field('Shards', h('input', { name: 'shards', id: 'shards-count', type: 'number', min: '1', max: '1000', placeholder: 'the host\'s default' }),
			'1 to 1000, and at most the number of rows.'),
		up.box, err);
	const btn = h('button', { type: 'submit', class: 'primary', text: 'Upload and split' });
	form.append(btn);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		const v = formValues(form);
		const code = form.querySelector('#shards-code').files;
		const data = form.querySelector('#shards-data').files;
		if (!v.title) { err.textContent = 'Give the batch a title.'; return; }
		if (!code.length || !data.length) { err.textContent = 'Choose a script file and a CSV file.'; return; }
		const fd = new FormData();
		fd.append('title', v.title);
		fd.append('file_code', code[0]);
		fd.append('file_data', data[0]);
		const req = form.querySelector('#shards-req').files;
		if (req.length) fd.append('file_req', req[0]);
		if (v.shards) fd.append('shards', v.shards);
		const r = await up.run(btn, err, () => upload('POST', '/jobs/upload', fd, up.onProgress));
		if (!r) return;
		ctx.flash(`${r.rows} rows split into ${r.shards} shard jobs.`);
		location.hash = `#/batches/${r.batch_id}`;
	});
	return { form, stop: () => {} };
}

function renderForm(ctx) {
	const err = h('p', { class: 'error', role: 'alert' });
	const num = (name, label, min, max, value) => field(label, h('input', { name, id: `render-${name}`, type: 'number', min, max, value, required: true }));
	const form = h('form', { class: 'card', 'aria-labelledby': 'render-title' },
		h('h2', { id: 'render-title', text: 'Film render' }),
		h('p', { class: 'muted', text: 'One scene per line of the script; kiln draws the scenes, speaks them, adds music and encodes an MP4.' }),
		field('Name', h('input', { name: 'name', id: 'render-name', maxlength: '200' })),
		field('Script', h('textarea', { name: 'script', id: 'render-script', rows: '5', required: true, placeholder: 'A quiet harbour at dawn.\nGulls rise over the water.' })),
		h('fieldset', null, h('legend', { text: 'Film' }),
			num('num_images', 'Scenes (images)', '1', '100', '10'),
			num('video_duration', 'Duration (seconds)', '1', '600', '30'),
			num('fps', 'Frames per second', '1', '60', '30'),
			field('Quality', select('quality', [['low', 'Low (480p)'], ['medium', 'Medium (720p)'], ['high', 'High (1080p)']], 'medium')),
			checkbox('Voice', h('input', { type: 'checkbox', name: 'include_voice', value: 'true', id: 'render-voice' })),
			checkbox('Music', h('input', { type: 'checkbox', name: 'include_music', value: 'true', id: 'render-music' })),
			field('Voice name', h('input', { name: 'voice', id: 'render-voice-name', value: 'default' })),
			field('Genre', h('input', { name: 'genre', id: 'render-genre', value: 'cinematic' })),
			field('Mood', select('mood', [['neutral', 'Neutral'], ['calm', 'Calm'], ['happy', 'Happy'], ['sad', 'Sad'], ['tense', 'Tense'], ['epic', 'Epic']], 'neutral'))));
	const cfg = () => {
		const v = formValues(form);
		const int = (k, lo, hi, what) => {
			const n = Number(v[k]);
			if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${what} must be a whole number from ${lo} to ${hi}.`);
			return n;
		};
		return {
			num_images: int('num_images', 1, 100, 'Scenes'), video_duration: int('video_duration', 1, 600, 'Duration'),
			fps: int('fps', 1, 60, 'Frames per second'), quality: v.quality,
			include_voice: form.querySelector('#render-voice').checked, include_music: form.querySelector('#render-music').checked,
			voice: v.voice || 'default', genre: v.genre || 'cinematic', mood: v.mood || 'neutral',
		};
	};
	const project = projectField('render');
	form.insertBefore(project.field, form.querySelector('fieldset'));
	const quote = quoteBox(form, () => {
		const c = cfg();
		return { num_images: c.num_images, video_duration: c.video_duration, include_voice: c.include_voice, include_music: c.include_music };
	});
	const btn = h('button', { type: 'submit', class: 'primary', text: 'Render film' });
	form.append(quote.box, err, btn);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		btn.disabled = true;
		try {
			const v = formValues(form);
			if (!v.script) throw new Error('Write the film\'s script: one scene per line.');
			const b = { script: form.querySelector('#render-script').value, config: cfg() };
			if (v.name) b.name = v.name;
			if (project.value()) b.project_id = project.value();
			submitted(ctx, await api('POST', '/jobs', { json: b }));
		} catch (x) {
			err.textContent = x.message;
		} finally {
			btn.disabled = false;
		}
	});
	return { form, stop: quote.stop };
}

const KINDS = [['command', 'Command', commandForm], ['script', 'Script + data set', scriptForm],
	['shards', 'CSV in shards', shardsForm], ['render', 'Film render', renderForm]];

export function page(main, ctx) {
	const current = KINDS.some(([k]) => k === ctx.query.get('kind')) ? ctx.query.get('kind') : 'command';
	const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Kind of job' });
	const panel = h('div', { role: 'tabpanel', id: uid('panel') });
	let stop = () => {};
	const show = (kind) => {
		stop();
		for (const b of tabs.children) {
			const on = b.dataset.kind === kind;
			b.setAttribute('aria-selected', String(on));
			b.tabIndex = on ? 0 : -1;
		}
		const [, , make] = KINDS.find(([k]) => k === kind);
		const f = make(ctx);
		stop = f.stop;
		replace(panel, f.form);
		panel.setAttribute('aria-labelledby', `tab-${kind}`);
	};
	for (const [kind, label] of KINDS) {
		const b = h('button', { type: 'button', role: 'tab', id: `tab-${kind}`, 'aria-controls': panel.id, text: label, on: { click: () => show(kind) } });
		b.dataset.kind = kind;
		b.addEventListener('keydown', (e) => {
			const i = KINDS.findIndex(([k]) => k === kind);
			const j = e.key === 'ArrowRight' ? (i + 1) % KINDS.length : e.key === 'ArrowLeft' ? (i + KINDS.length - 1) % KINDS.length : -1;
			if (j >= 0) { show(KINDS[j][0]); tabs.children[j].focus(); }
		});
		tabs.append(b);
	}
	replace(main, h('h1', { text: 'Submit a job' }), tabs, panel);
	show(current);
	return () => stop();
}
