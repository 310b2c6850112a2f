// SPDX-License-Identifier: MIT
// pages/job.js: one job: status and progress, its timeline from the
// job's events, the live log (EventSource on a signed link, resumed by
// byte offset), outputs with download buttons (signed links), cancel.
import { api } from '../api.js';
import { h, replace, badge, progressBar, waitWords, money, bytes, dateTime, table, empty, TERMINAL, every } from '../dom.js';

const MAX_LOG_LINES = 5000;

// An argument as a shell would need it to read back the same argv.
function quoteArg(a) {
	return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, '\'\\\'\'')}'`;
}

function details(j) {
	const rows = [
		['Kind', j.kind], ['Submitted', dateTime(j.created_at)], ['Started', dateTime(j.started_at) || '–'],
		['Finished', dateTime(j.finished_at) || '–'], ['Estimated cost', money(j.estimated_cost)],
		['Charged', money(j.actual_cost)],
		['Resources', `${j.resources.gpus} GPU · ${j.resources.cpu_count} CPU · ${bytes(j.resources.memory_limit)} · ${j.resources.timeout_seconds} s`],
		['Attempts', `${j.attempts} of ${j.max_attempts}`],
	];
	if (j.command) rows.push(['Command', h('code', { text: j.command.map(quoteArg).join(' ') })]);
	if (j.script) rows.push(['Script', h('pre', { class: 'script', text: j.script })]);
	if (j.exit_code !== null && j.exit_code !== undefined) rows.push(['Exit code', String(j.exit_code)]);
	if (j.failure_reason) rows.push(['Failure', `${j.failure_reason.replace(/_/g, ' ')}${j.failure_detail ? `: ${j.failure_detail}` : ''}`]);
	if (j.batch_id) rows.push(['Batch', h('a', { href: `#/batches/${j.batch_id}`, text: `batch ${j.batch_id}` })]);
	return h('dl', { class: 'details' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', null, v)]));
}

function timeline(events) {
	if (!events.length) return empty('No status changes yet.');
	return h('ol', { class: 'timeline' }, events.map((e) => h('li', null,
		badge(e.to_status), ' ', dateTime(e.created_at),
		e.reason ? h('span', { class: 'muted', text: ` — ${e.reason}` }) : null)));
}

function outputsView(job, outputs) {
	if (!outputs.length) {
		return empty(TERMINAL.has(job.status)
			? 'This job left no outputs. A job keeps what it writes under $KILN_OUTPUT_DIR.'
			: 'Outputs appear here when the job ends.');
	}
	return table(['File', 'Size', 'Type', ''], outputs.map((o) => [
		h('code', { text: o.path }), bytes(o.size_bytes), o.content_type,
		h('a', { class: 'button', href: o.url, download: o.path.split('/').pop(), text: 'Download', 'aria-label': `Download ${o.path}` }),
	]));
}

// The live log: an EventSource on a signed link. EventSource resumes by
// itself with Last-Event-ID (the byte offset) when kiln closes a stream
// after sse_max_seconds; when the link itself fails (expired), a fresh
// link is asked for and the tail goes on from the last offset.
function liveLog(id, pre, onStatus, onEnd) {
	let es = null;
	let offset = 0;
	let stopped = false;
	let retry = null;
	let failures = 0;
	const lines = [];
	const add = (d) => {
		const line = h('span', { class: `log-${d.stream === 'stderr' ? 'err' : 'out'}` }, `${d.message}\n`);
		pre.append(line);
		lines.push(line);
		if (lines.length > MAX_LOG_LINES) lines.shift().remove();
		if (pre.dataset.follow !== 'no') pre.scrollTop = pre.scrollHeight;
	};
	const open = async () => {
		if (stopped) return;
		let link;
		try {
			link = await api('POST', '/jobs/signed-url', { json: { job_id: id, logs: true, expires_in: 3600 } });
		} catch {
			failures += 1;
			retry = setTimeout(open, Math.min(30000, 1000 * failures));
			return;
		}
		if (stopped) return;
		es = new EventSource(`${link.url}&offset=${offset}`);
		es.addEventListener('message', (e) => { // a log line: kiln's events without a name
			failures = 0;
			if (e.lastEventId) offset = Number(e.lastEventId) || offset;
			try { add(JSON.parse(e.data)); } catch { /* not a record */ }
		});
		es.addEventListener('status', (e) => {
			try { onStatus(JSON.parse(e.data)); } catch { /* ignored */ }
		});
		es.addEventListener('end', () => {
			es.close();
			stopped = true;
			onEnd();
		});
		es.addEventListener('error', () => {
			if (es.readyState === EventSource.CLOSED && !stopped) {
				failures += 1;
				retry = setTimeout(open, Math.min(30000, 1000 * failures));
			}
		});
	};
	open();
	return () => { stopped = true; clearTimeout(retry); if (es) es.close(); };
}

export async function show(main, ctx) {
	const id = Number(ctx.params[0]);
	let job = await api('GET', `/jobs/${id}`);
	const head = h('div', { class: 'page-head' });
	const summary = h('section', { class: 'card', 'aria-label': 'Status' });
	const tl = h('section', { class: 'card' }, h('h2', { text: 'Timeline' }));
	const tlBody = h('div');
	tl.append(tlBody);
	const pre = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Job log', 'aria-live': 'off' });
	pre.addEventListener('scroll', () => {
		pre.dataset.follow = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8 ? 'yes' : 'no';
	});
	const logState = h('span', { class: 'muted', text: 'connecting…' });
	const logCard = h('section', { class: 'card' }, h('h2', null, 'Log ', logState), pre);
	const outCard = h('section', { class: 'card' }, h('h2', { text: 'Outputs' }));
	const outBody = h('div');
	outCard.append(outBody);
	const err = h('p', { class: 'error', role: 'alert' });

	const drawHead = () => {
		const cancel = !TERMINAL.has(job.status) && !job.cancel_requested
			? h('button', { type: 'button', class: 'danger', text: 'Cancel job', on: { click: doCancel } }) : null;
		replace(head, h('h1', null, h('span', { class: 'job-name', text: job.name || `job ${job.id}` }), ' ',
			h('span', { class: 'muted', text: `#${job.id}` })), cancel);
		replace(summary,
			h('p', { class: 'status-line' }, badge(job.status), ' ',
				progressBar(job.progress, 100, 'job progress'), h('span', { text: ` ${Math.round(job.progress || 0)} %` }),
				job.cancel_requested && !TERMINAL.has(job.status) ? h('span', { class: 'muted', text: ' — cancelling…' }) : null),
			job.status === 'pending' && job.wait_reason ? h('p', { class: 'wait', text:
				`${waitWords(job.wait_reason)}${job.queue_position ? ` Position in queue: ${job.queue_position}.` : ''}` }) : null,
			details(job), err);
	};
	const reload = async () => {
		try {
			job = await api('GET', `/jobs/${id}`);
			const ev = await api('GET', `/jobs/${id}/events`);
			drawHead();
			replace(tlBody, timeline(ev.items));
			if (TERMINAL.has(job.status)) replace(outBody, outputsView(job, await api('GET', `/jobs/${id}/outputs`)));
		} catch (x) {
			err.textContent = x.message;
		}
	};
	async function doCancel() {
		if (!window.confirm(`Cancel job ${job.id}?`)) return;
		try {
			await api('POST', `/jobs/${id}/cancel`, { json: {} });
			ctx.flash('Cancel requested.');
			await reload();
		} catch (x) {
			err.textContent = x.message;
		}
	}

	replace(main, head, summary, logCard, tl, outCard);
	drawHead();
	replace(outBody, outputsView(job, []));
	await reload();
	const stopLog = liveLog(id, pre, (s) => {
		logState.textContent = 'live';
		if (s.status !== job.status) {
			reload();
		} else if (s.progress !== job.progress) {
			job.progress = s.progress; // the event says it all: no request
			drawHead();
		}
	}, () => {
		logState.textContent = 'complete';
		reload();
	});
	// status events drive most updates; wait reasons and the queue
	// position change without one: a slow poll (the rate limit is per user)
	const loop = every(5000, async () => { if (!TERMINAL.has(job.status)) await reload(); });
	loop.later();
	return () => { loop.stop(); stopLog(); };
}
