// SPDX-License-Identifier: MIT
// pages/nodes.js: the GPU nodes: model, free GPUs, heartbeat age, a hold
// after a storage fault, drain.
import { api } from '../api.js';
import { h, replace, badge, ago, table, empty, bytes, every } from '../dom.js';

export async function page(main, ctx) {
	const out = h('div');
	const canDrain = ['operator', 'admin'].includes(ctx.user.role);
	replace(main, h('h1', { text: 'Nodes' }), out);
	const load = async (live) => {
		try {
			const r = await api('GET', '/nodes?page_size=100');
			if (!live()) return;
			replace(out, r.items.length ? table(['Node', 'Status', 'GPU model', 'Free GPUs', 'CPUs', 'Memory', 'Heartbeat', 'Running jobs', ''],
				r.items.map((n) => [
					h('span', { text: n.name }),
					// a node whose storage failed a job claims nothing for a while (kiln-run)
					n.claim_hold_until ? h('span', null, [badge(n.status.toLowerCase()), h('span', { class: 'error',
						text: ` storage fault: claims no jobs until ${new Date(n.claim_hold_until).toLocaleTimeString()}` })])
						: badge(n.status.toLowerCase()),
					h('span', { text: n.gpu_model }),
					`${n.gpus_free} of ${n.gpu_count}`, String(n.cpu_count), bytes(n.memory_bytes),
					h('span', { class: Date.now() - new Date(n.last_heartbeat).getTime() > 30000 ? 'error' : '', text: ago(n.last_heartbeat) }),
					(n.running_jobs || []).length ? h('span', null, (n.running_jobs || []).map((j) =>
						h('a', { href: `#/jobs/${j.id ?? j}`, text: `#${j.id ?? j} ` }))) : 'none',
					canDrain ? h('button', { type: 'button', class: n.draining ? '' : 'danger', text: n.draining ? 'Undrain' : 'Drain',
						'aria-label': `${n.draining ? 'Undrain' : 'Drain'} ${n.name}`, on: { click: async () => {
							if (!n.draining && !window.confirm(`Drain ${n.name}? It finishes its jobs and takes no new ones.`)) return;
							try { await api('POST', `/nodes/${n.id}/${n.draining ? 'undrain' : 'drain'}`, { json: {} }); loop.now(); } catch (x) { ctx.flash(x.message, 'error'); }
						} } }) : '',
				])) : empty('No nodes have reported yet. Start kiln-scheduler on a GPU host (its timer) and it appears here at its first tick.'));
		} catch (x) {
			replace(out, h('p', { class: 'error', role: 'alert', text: x.message }));
		}
	};
	const loop = every(3000, load);
	await loop.now(true);
	return loop.stop;
}
