// SPDX-License-Identifier: MIT
// api.js: every call to /api/v1, the session, and error messages.
// The access token lives only in this module's memory: never in
// localStorage, sessionStorage or a readable cookie. The refresh token is
// an HttpOnly cookie (kiln_refresh, Path=/api/v1/auth) that kiln sets
// when a request carries "X-Kiln-Session: cookie"; scripts never see it.

const BASE = '/api/v1';
const SESSION_HEADER = { 'X-Kiln-Session': 'cookie' };

let access = null;   // the bearer token, in memory only
let me = null;       // the signed-in user
let refreshing = null;
const listeners = new Set();

export class ApiError extends Error {
	constructor(status, body) {
		super(errorMessage(status, body));
		this.status = status;
		this.code = body && body.code;
		this.body = body;
	}
}

// The API's error body as words: {"detail": "..."} or a 422's list of
// {loc, msg, type}.
export function errorMessage(status, body) {
	if (body && Array.isArray(body.detail)) {
		return body.detail.map((d) => {
			const loc = Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body').join('.') : '';
			return loc ? `${loc}: ${d.msg}` : String(d.msg);
		}).join('; ');
	}
	if (body && typeof body.detail === 'string') return body.detail;
	if (status === 0) return 'The server cannot be reached. Check your connection and retry.';
	return `The server answered ${status}.`;
}

export function user() {
	return me;
}

export function onSession(fn) {
	listeners.add(fn);
}

function setSession(token, u) {
	access = token;
	me = u;
	for (const fn of listeners) fn(me);
}

async function parse(res) {
	if (res.status === 204) return null;
	const type = res.headers.get('Content-Type') || '';
	if (type.includes('application/json')) {
		try {
			return await res.json();
		} catch {
			return null;
		}
	}
	return res.text();
}

async function send(method, path, opts) {
	const headers = { ...(opts.headers || {}) };
	let body;
	if (opts.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.json);
	} else if (opts.form) {
		body = opts.form;
	}
	if (access && opts.auth !== false) headers.Authorization = `Bearer ${access}`;
	let res;
	try {
		res = await fetch(BASE + path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
	} catch {
		throw new ApiError(0, null);
	}
	return res;
}

// Rotates the refresh cookie for a new access token; one at a time, in
// every tab (a refresh token works once: two tabs racing with the same
// cookie would look like theft and revoke the session).
export function refresh() {
	if (!refreshing) {
		const run = async () => {
			const res = await send('POST', '/auth/refresh', { json: {}, headers: SESSION_HEADER, auth: false });
			if (!res.ok) {
				setSession(null, null);
				return false;
			}
			const t = await res.json();
			access = t.access_token;
			const who = await send('GET', '/auth/me', {});
			setSession(t.access_token, who.ok ? await who.json() : t.user);
			return true;
		};
		const locked = navigator.locks ? navigator.locks.request('kiln-refresh', run) : run();
		refreshing = locked.catch(() => false).finally(() => { refreshing = null; });
	}
	return refreshing;
}

// api(method, path, {json, form, headers, raw}) → the parsed body, or
// throws ApiError. A 401 with a session refreshes once and retries.
export async function api(method, path, opts = {}) {
	let res = await send(method, path, opts);
	if (res.status === 401 && access && opts.auth !== false) {
		if (await refresh()) res = await send(method, path, opts);
	}
	if (opts.raw) return res;
	const body = await parse(res);
	if (!res.ok) {
		if (res.status === 401 && opts.auth !== false && !path.startsWith('/auth/')) {
			setSession(null, null);
		}
		throw new ApiError(res.status, body);
	}
	return body;
}

export async function signIn(email, password) {
	const t = await api('POST', '/auth/login', { json: { email, password }, headers: SESSION_HEADER, auth: false });
	access = t.access_token;
	const u = await api('GET', '/auth/me');
	setSession(t.access_token, u);
	return u;
}

export async function signUp(email, username, password) {
	const body = { email, password };
	if (username) body.username = username;
	await api('POST', '/auth/register', { json: body, auth: false });
	return signIn(email, password);
}

// Revokes the refresh token (its whole login) and clears the cookie and
// the token in memory, even when the server cannot be reached.
export async function signOut() {
	try {
		if (access) await api('POST', '/auth/logout', { json: {}, headers: SESSION_HEADER });
	} catch {
		// the local session ends either way
	} finally {
		setSession(null, null);
	}
}

// upload(method, path, formData, onProgress(fraction)) → the parsed body.
// XMLHttpRequest because fetch() reports no upload progress.
export function upload(method, path, formData, onProgress) {
	const attempt = () => new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open(method, BASE + path);
		if (access) xhr.setRequestHeader('Authorization', `Bearer ${access}`);
		xhr.responseType = 'text';
		xhr.upload.addEventListener('progress', (e) => {
			if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
		});
		xhr.addEventListener('load', () => {
			let body = null;
			try {
				body = JSON.parse(xhr.responseText);
			} catch {
				body = null;
			}
			resolve({ status: xhr.status, body });
		});
		xhr.addEventListener('error', () => resolve({ status: 0, body: null }));
		xhr.send(formData);
	});
	return (async () => {
		let r = await attempt();
		if (r.status === 401 && (await refresh())) r = await attempt();
		if (r.status < 200 || r.status >= 300) throw new ApiError(r.status, r.body);
		return r.body;
	})();
}

// The final address a redirecting GET leads to (a data set's signed
// link), read as soon as the headers arrive; the body is not fetched.
export function redirectTarget(path) {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('GET', BASE + path);
		if (access) xhr.setRequestHeader('Authorization', `Bearer ${access}`);
		xhr.addEventListener('readystatechange', () => {
			if (xhr.readyState !== XMLHttpRequest.HEADERS_RECEIVED) return;
			const url = xhr.responseURL;
			const ok = xhr.status >= 200 && xhr.status < 300;
			xhr.abort();
			if (ok && url) resolve(url);
			else reject(new ApiError(xhr.status, { detail: `download refused (${xhr.status})` }));
		});
		xhr.addEventListener('error', () => reject(new ApiError(0, null)));
		xhr.send();
	});
}

// Fields of a form as {name: trimmed string}.
export function formValues(form) {
	const out = {};
	for (const [k, v] of new FormData(form).entries()) {
		if (typeof v === 'string') out[k] = v.trim();
	}
	return out;
}

export function isStaff(u) {
	return !!u && ['viewer', 'operator', 'admin'].includes(u.role);
}
