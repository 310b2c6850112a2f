// SPDX-License-Identifier: MIT
// pages/keys.js: API keys: create (the key is shown once), list, revoke.
import { api, formValues } from '../api.js';
import { h, replace, field, dateTime, table, empty } from '../dom.js';

export async function page(main, ctx) {
	const out = h('div');
	const shown = h('div', { 'aria-live': 'polite' });
	const err = h('p', { class: 'error', role: 'alert' });
	const form = h('form', { class: 'card' }, h('h2', { text: 'New API key' }),
		field('Name', h('input', { name: 'name', id: 'key-name', required: true, maxlength: '100', placeholder: 'ci' })),
		field('Expires (optional)', h('input', { name: 'expires_at', id: 'key-expires', type: 'date' })),
		err, h('button', { type: 'submit', class: 'primary', text: 'Create key' }));
	const load = async () => {
		const r = await api('GET', '/auth/api-keys?page_size=100');
		replace(out, r.items.length ? table(['Name', 'Prefix', 'Created', 'Last used', 'Expires', ''], r.items.map((k) => [
			h('span', { text: k.name }), h('code', { text: `${k.prefix}…` }), dateTime(k.created_at),
			k.last_used_at ? dateTime(k.last_used_at) : 'never', k.expires_at ? dateTime(k.expires_at) : 'never',
			h('button', { type: 'button', class: 'danger', text: 'Revoke', 'aria-label': `Revoke key ${k.name}`, on: { click: async () => {
				if (!window.confirm(`Revoke key "${k.name}"? Programs using it stop working.`)) return;
				try { await api('DELETE', `/auth/api-keys/${k.id}`); ctx.flash('Key revoked.'); load(); } catch (x) { ctx.flash(x.message, 'error'); }
			} } }),
		])) : empty('No API keys. Create one for scripts and CI: send it as X-API-Key.'));
	};
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		const v = formValues(form);
		const body = { name: v.name };
		if (v.expires_at) body.expires_at = `${v.expires_at}T00:00:00Z`;
		try {
			const k = await api('POST', '/auth/api-keys', { json: body });
			const code = h('code', { class: 'secret', id: 'new-key', text: k.key });
			replace(shown, h('div', { class: 'card notice' },
				h('p', null, h('strong', { text: 'Copy this key now: it is shown only once.' })), code, ' ',
				h('button', { type: 'button', text: 'Copy', on: { click: async () => {
					try { await navigator.clipboard.writeText(k.key); ctx.flash('Copied.'); } catch { ctx.flash('Select the key and copy it by hand.', 'error'); }
				} } }),
				h('button', { type: 'button', class: 'link', text: 'I have copied it', on: { click: () => replace(shown) } })));
			form.reset();
			load();
		} catch (x) {
			err.textContent = x.message;
		}
	});
	replace(main, h('h1', { text: 'API keys' }), shown, out, form);
	await load();
	return () => replace(shown);
}
