// SPDX-License-Identifier: MIT
// dashboard.test.js: the dashboard in a real browser (Debian's chromium,
// headless, driven by playwright-core) against a real stack started by
// run.sh. Every wait is a condition with a deadline (Playwright's
// auto-waiting and expect-style polling), never a fixed sleep. Any page
// error or Content-Security-Policy report fails the test that caused it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.KILN_URL;
const SHOTS = process.env.KILN_SHOTS;
const [ADMIN_EMAIL, ADMIN_PASSWORD] = fs.readFileSync(process.env.KILN_ADMIN_FILE, 'utf8').trim().split('\n');
const PASSWORD = 'securepass123';
const WAIT = 20000; // ms: the longest any condition may take
const run = Date.now().toString(36);
// a statement against the stack's database (run.sh's stack: its folder holds admin.txt)
const sql = (q) => execFileSync('mariadb', ['--no-defaults', `--socket=${path.dirname(process.env.KILN_ADMIN_FILE)}/run/mysqld.sock`,
	'-uroot', 'kiln', '-e', q]);

let browser;

before(async () => {
	browser = await chromium.launch({ executablePath: process.env.KILN_CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
	await browser?.close();
});

// A fresh browser context (its own cookies) and page, with the page's
// errors and CSP reports collected into page.problems.
async function newPage(viewport) {
	const ctx = await browser.newContext({ viewport: viewport || { width: 1280, height: 860 }, acceptDownloads: true });
	const page = await ctx.newPage();
	page.problems = [];
	page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
	page.on('console', (m) => {
		if (/Content.Security.Policy|Refused to/i.test(m.text())) page.problems.push(`CSP: ${m.text()}`);
	});
	page.on('dialog', (d) => {
		if (d.type() === 'alert') page.problems.push(`alert(): ${d.message()}`);
		d.accept();
	});
	page.setDefaultTimeout(WAIT);
	return page;
}

async function done(page) {
	assert.deepEqual(page.problems, []);
	await page.context().close();
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// Polls fn until it returns a truthy value; its value, or throws at the deadline.
async function until(what, fn, ms = WAIT) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function signIn(page, email, password) {
	await page.goto(`${BASE}/#/signin`);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('heading', { name: 'Jobs' }).waitFor();
}

async function signUp(page, email) {
	await page.goto(`${BASE}/#/signup`);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await page.getByRole('heading', { name: 'Wallet' }).waitFor();
}

async function topUp(page, amount) {
	await page.goto(`${BASE}/#/wallet`);
	await page.getByLabel('Amount (credits)').fill(String(amount));
	await page.getByRole('button', { name: 'Add credits' }).click();
	await page.locator('.stat.balance .stat-value').filter({ hasText: `${amount.toFixed(2)} cr` }).waitFor();
}

// Submits a command job through the form; its id.
async function submitCommand(page, name, command, gpus = 0) {
	await page.goto(`${BASE}/#/submit`);
	await page.getByLabel('Name').fill(name);
	await page.getByRole('textbox', { name: 'Command', exact: true }).fill(command);
	await page.getByLabel('GPUs').fill(String(gpus));
	await page.getByRole('button', { name: 'Submit command job' }).click();
	await page.waitForURL(/#\/jobs\/\d+$/);
	return Number(page.url().match(/#\/jobs\/(\d+)$/)[1]);
}

test('sign up, top up, run a command job with its live log, download its output', async () => {
	const page = await newPage();
	const email = `web-${run}@example.com`;
	await page.goto(`${BASE}/`);
	await page.getByRole('heading', { name: 'Sign in' }).waitFor();
	await shot(page, 'signin');
	await signUp(page, email);
	await page.getByText('You have no available credits').waitFor();
	await topUp(page, 25);
	await page.getByRole('cell', { name: 'topup' }).waitFor();

	const id = await submitCommand(page, 'hello-web',
		'sh -c \'for i in 1 2 3; do echo "line $i from kiln"; sleep 0.3; done; echo ok > "$KILN_OUTPUT_DIR/result.txt"\'');
	await page.getByRole('heading', { name: /hello-web/ }).waitFor();
	// the live log, through EventSource on a signed link
	await page.locator('pre.log').filter({ hasText: 'line 3 from kiln' }).waitFor();
	assert.match(await page.locator('pre.log').innerText(), /line 1 from kiln\nline 2 from kiln\nline 3 from kiln/);
	await page.locator('.status-line .badge', { hasText: 'completed' }).waitFor();
	await page.locator('.timeline').getByText('running').waitFor();
	await page.getByText('Log complete').waitFor();
	await shot(page, 'job');
	// the output, downloaded through its signed link
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('link', { name: 'Download result.txt' }).click(),
	]);
	assert.equal(download.suggestedFilename(), 'result.txt');
	assert.equal(fs.readFileSync(await download.path(), 'utf8'), 'ok\n');

	// the jobs list shows it, with its status
	await page.goto(`${BASE}/#/jobs`);
	const row = page.locator('tr', { has: page.getByRole('link', { name: 'hello-web' }) });
	await row.locator('.badge', { hasText: 'completed' }).waitFor();
	await shot(page, 'jobs');
	await page.goto(`${BASE}/#/wallet`);
	await page.getByRole('cell', { name: 'charge' }).first().waitFor();
	await shot(page, 'wallet');

	// a reload keeps the session (HttpOnly cookie), and no token is stored
	await page.goto(`${BASE}/#/jobs/${id}`);
	await page.reload();
	await page.getByRole('heading', { name: /hello-web/ }).waitFor();
	const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
	assert.deepEqual(stored, [0, 0, '']);
	const cookies = await page.context().cookies();
	const c = cookies.find((x) => x.name === 'kiln_refresh');
	assert.ok(c && c.httpOnly && c.sameSite === 'Strict' && c.path === '/api/v1/auth');

	// sign-out revokes the session: a reload lands on sign-in
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('heading', { name: 'Sign in' }).waitFor();
	await until('the cookie to be cleared', async () => !(await page.context().cookies()).some((x) => x.name === 'kiln_refresh'));
	await page.reload();
	await page.getByRole('heading', { name: 'Sign in' }).waitFor();
	// and the old refresh token is dead on the server too
	const r = await page.request.post(`${BASE}/api/v1/auth/refresh`, {
		headers: { 'X-Kiln-Session': 'cookie', Cookie: `kiln_refresh=${c.value}` }, data: {},
	});
	assert.equal(r.status(), 401);

	// phone width: the menu folds, tables become cards
	await page.setViewportSize({ width: 390, height: 800 });
	await signIn(page, email, PASSWORD);
	await page.getByRole('button', { name: 'Menu' }).click();
	await page.getByRole('link', { name: 'Wallet' }).click();
	await page.getByRole('heading', { name: 'Wallet' }).waitFor();
	await page.goto(`${BASE}/#/jobs`);
	await row.waitFor();
	await shot(page, 'jobs-phone');
	await done(page);
});

test('the live log resumes where it was when kiln closes the stream', async () => {
	const page = await newPage();
	await signUp(page, `resume-${run}@example.com`);
	await topUp(page, 5);
	// run.sh caps a live stream at 5 s: this job outlives two streams
	const streams = [];
	page.on('request', (r) => {
		if (/\/api\/v1\/files\/jobs\/\d+\/logs/.test(r.url())) streams.push(r.allHeaders().then((hd) => hd['last-event-id'] || ''));
	});
	await submitCommand(page, 'ticker', "sh -c 'for i in $(seq 1 24); do echo tick $i; sleep 0.5; done'");
	await page.locator('.status-line .badge', { hasText: 'running' }).waitFor();
	await page.locator('pre.log').filter({ hasText: 'tick 24' }).waitFor({ timeout: 30000 });
	const lines = (await page.locator('pre.log').innerText()).trim().split('\n');
	assert.deepEqual(lines, Array.from({ length: 24 }, (_, i) => `tick ${i + 1}`));
	// (no line twice above: each new stream went on from Last-Event-ID)
	const ids = await Promise.all(streams);
	assert.ok(ids.length >= 2, `one stream only: ${ids}`);
	assert.ok(ids.slice(1).some((id) => Number(id) > 0), `no resume from an offset: ${ids}`);
	await page.getByText('Log complete').waitFor();
	await done(page);
});

test('the render form shows a live estimate as its fields change', async () => {
	const page = await newPage();
	await signUp(page, `render-${run}@example.com`);
	await page.goto(`${BASE}/#/submit`);
	await page.getByRole('tab', { name: 'Film render' }).click();
	const estimate = page.locator('.quote .estimate');
	await estimate.waitFor();
	const first = await estimate.innerText();
	assert.match(first, /^\d+\.\d+ cr$/);
	// the same quote the API gives for these fields
	const quote = async (body) => page.evaluate(async (b) => (await import('/js/api.js')).api('POST', '/jobs/estimate-cost', { json: b }), body);
	const q1 = await quote({ num_images: 10, video_duration: 30, include_voice: false, include_music: false });
	assert.equal(first, `${q1.estimated_cost.toFixed(2)} cr`);
	await page.getByLabel('Scenes (images)').fill('40');
	await page.getByLabel('Duration (seconds)').fill('120');
	await page.getByLabel('Voice', { exact: true }).check();
	await page.getByLabel('Music').check();
	const q2 = await quote({ num_images: 40, video_duration: 120, include_voice: true, include_music: true });
	assert.notEqual(q2.estimated_cost, q1.estimated_cost);
	await page.locator('.quote .estimate', { hasText: `${q2.estimated_cost.toFixed(2)} cr` }).waitFor();
	await page.locator('.breakdown').getByText(/voice synthesis/).waitFor();
	// a bad value says why instead of quoting
	await page.getByLabel('Scenes (images)').fill('0');
	await page.locator('.quote .error', { hasText: 'Scenes must be a whole number from 1 to 100' }).waitFor();
	await page.getByLabel('Scenes (images)').fill('12');
	await page.getByLabel('Script').fill('A quiet harbour at dawn.\nGulls rise over the water.');
	await estimate.waitFor();
	await shot(page, 'submit-render');
	await done(page);
});

test('an admin lowers a user\'s concurrency limit and the user\'s next jobs obey it', async () => {
	const user = await newPage();
	const email = `limit-${run}@example.com`;
	await signUp(user, email);
	await topUp(user, 40);

	const admin = await newPage();
	await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
	await admin.goto(`${BASE}/#/admin/users`);
	await admin.getByText(email).waitFor();
	await shot(admin, 'admin-users');
	await admin.goto(`${BASE}/#/admin/limits`);
	const uid = await admin.locator('option', { hasText: email }).getAttribute('value');
	await admin.getByLabel('User', { exact: true }).selectOption(uid);
	await admin.locator('#u-conc').fill('1');
	await admin.getByRole('button', { name: 'Save user\'s limits' }).click();
	await admin.getByRole('cell', { name: email }).waitFor();
	const over = admin.locator('tr', { has: admin.getByRole('cell', { name: email }) });
	assert.equal(await over.locator('td').nth(1).innerText(), '1');
	await shot(admin, 'admin-limits');

	const a = await submitCommand(user, 'limited-a', 'sleep 30');
	await user.locator('.status-line .badge', { hasText: 'running' }).waitFor();
	const b = await submitCommand(user, 'limited-b', 'sleep 30');
	await user.getByText('you already run as many jobs as your limit allows').waitFor();
	await user.locator('.status-line .badge', { hasText: 'pending' }).waitFor();
	await user.goto(`${BASE}/#/jobs?status=pending,moderating,preparing,running`);
	const rowB = user.locator('tr', { has: user.getByRole('link', { name: 'limited-b' }) });
	await rowB.getByText('you already run as many jobs as your limit allows').waitFor();
	await user.locator('tr', { has: user.getByRole('link', { name: 'limited-a' }) }).locator('.badge', { hasText: 'running' }).waitFor();
	// the admin sees the node with its running job
	await admin.goto(`${BASE}/#/nodes`);
	await admin.getByRole('link', { name: `#${a}` }).waitFor();
	await shot(admin, 'nodes');

	// cancelling the running job lets the waiting one start
	await user.goto(`${BASE}/#/jobs/${a}`);
	await user.getByRole('button', { name: 'Cancel job' }).click();
	await user.locator('.status-line .badge', { hasText: 'cancelled' }).waitFor();
	await user.goto(`${BASE}/#/jobs/${b}`);
	await user.locator('.status-line .badge', { hasText: 'running' }).waitFor();
	await user.getByRole('button', { name: 'Cancel job' }).click();
	await user.locator('.status-line .badge', { hasText: 'cancelled' }).waitFor();
	await done(admin);
	await done(user);
});

test('a job named like markup shows as text, never as HTML', async () => {
	const page = await newPage();
	await signUp(page, `xss-${run}@example.com`);
	await topUp(page, 5);
	const evil = '<img src=x onerror=alert(1)>';
	const id = await submitCommand(page, evil, 'true');
	await page.locator('h1 .job-name').filter({ hasText: evil }).waitFor();
	assert.equal(await page.locator('h1 .job-name').innerText(), evil);
	await page.goto(`${BASE}/#/jobs`);
	const link = page.getByRole('link', { name: evil });
	await link.waitFor();
	assert.equal(await link.getAttribute('href'), `#/jobs/${id}`);
	assert.equal(await page.locator('main img').count(), 0);
	// the API's error detail shows as text too
	await page.goto(`${BASE}/#/submit`);
	await page.getByRole('textbox', { name: 'Command', exact: true }).fill('true');
	await page.evaluate(() => document.querySelector('#cmd-name').removeAttribute('maxlength'));
	await page.getByLabel('Name').fill('<b>bold</b>'.repeat(30));
	await page.getByRole('button', { name: 'Submit command job' }).click();
	await page.locator('form p.error[role="alert"]').filter({ hasText: /name/ }).waitFor();
	assert.equal(await page.locator('main b').count(), 0);
	await done(page); // no alert() ran and no CSP report
});

test('projects: create, rename, a job in one, delete refused while it is active; a CSV in shards', async () => {
	const page = await newPage();
	await signUp(page, `projects-${run}@example.com`);
	await topUp(page, 30);
	await page.goto(`${BASE}/#/projects`);
	await page.getByText('No projects yet').waitFor();
	await page.getByLabel('Name').fill('experiments');
	await page.getByLabel('Description (optional)').fill('first tries');
	await page.getByRole('button', { name: 'Create project' }).click();
	await page.getByRole('cell', { name: 'experiments', exact: true }).waitFor();
	await page.getByRole('button', { name: 'Edit experiments' }).click();
	await page.getByLabel('Name').fill('trials');
	await page.getByRole('button', { name: 'Save project' }).click();
	await page.getByRole('cell', { name: 'trials', exact: true }).waitFor();
	assert.equal(await page.getByRole('cell', { name: 'experiments', exact: true }).count(), 0);
	await shot(page, 'projects');

	// a job outside the project, and one in it, still running when the
	// project is deleted
	await submitCommand(page, 'outside', 'true');
	await page.goto(`${BASE}/#/projects`);
	await page.getByRole('cell', { name: 'trials', exact: true }).waitFor();
	await page.goto(`${BASE}/#/submit`);
	await page.getByLabel('Name').fill('in-project');
	await page.getByRole('textbox', { name: 'Command', exact: true }).fill('sleep 60');
	await page.getByLabel('Project (optional)').selectOption({ label: 'trials' });
	await page.getByLabel('GPUs').fill('0');
	await page.getByRole('button', { name: 'Submit command job' }).click();
	await page.waitForURL(/#\/jobs\/\d+$/);
	const jobUrl = page.url();
	await page.goto(`${BASE}/#/projects`);
	await page.getByRole('link', { name: 'Jobs of trials' }).click();
	await page.getByText(/Jobs of project \d+/).waitFor();
	await page.getByRole('link', { name: 'in-project' }).waitFor();
	assert.equal(await page.getByRole('link', { name: 'outside', exact: true }).count(), 0);
	await page.goto(`${BASE}/#/projects`);
	await page.getByRole('button', { name: 'Delete trials' }).click();
	await page.getByText('still has jobs that have not ended').waitFor();
	await page.getByRole('cell', { name: 'trials', exact: true }).waitFor();
	await page.goto(jobUrl);
	await page.getByRole('button', { name: 'Cancel job' }).click();
	await page.locator('.status-line .badge', { hasText: 'cancelled' }).waitFor();
	await page.goto(`${BASE}/#/projects`);
	await page.getByRole('button', { name: 'Delete trials' }).click();
	await page.getByText('No projects yet').waitFor();
	await page.goto(jobUrl);
	await page.getByRole('heading', { name: /in-project/ }).waitFor();

	// a CSV split into a batch of shard jobs, each counting its own rows
	await page.goto(`${BASE}/#/submit?kind=shards`);
	await page.getByLabel('Title').fill('split-web');
	await page.getByLabel('Script file').setInputFiles({ name: 'count.sh', mimeType: 'text/x-sh',
		buffer: Buffer.from('echo "shard $KILN_SHARD of $KILN_SHARDS: $(( $(wc -l < "$KILN_DATA_FILE") - 1 )) rows"\n') });
	await page.getByLabel('CSV file').setInputFiles({ name: 'rows.csv', mimeType: 'text/csv', buffer: Buffer.from('n\n1\n2\n3\n4\n5\n') });
	await page.getByLabel('Shards', { exact: true }).fill('2');
	await page.getByRole('button', { name: 'Upload and split' }).click();
	await page.waitForURL(/#\/batches\/\d+$/);
	await page.getByText('5 rows split into 2 shard jobs.').waitFor();
	await page.getByText('2 of 2 ended').waitFor();
	await shot(page, 'shards');
	await done(page);
});

test('data sets, a script job with uploads, a batch, API keys; admin prices and drain', async () => {
	const page = await newPage();
	await signUp(page, `pages-${run}@example.com`);
	await topUp(page, 30);
	await page.goto(`${BASE}/#/datasets`);
	await page.getByText('No data sets yet').waitFor();
	const csv = Buffer.from('a,b\n1,2\n3,4\n');
	await page.getByLabel('File').setInputFiles({ name: 'numbers.csv', mimeType: 'text/csv', buffer: csv });
	await page.getByLabel('Name').fill('numbers');
	await page.getByRole('button', { name: 'Upload' }).click();
	await page.getByRole('cell', { name: 'numbers.csv' }).waitFor();
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Download numbers' }).click(),
	]);
	assert.equal(fs.readFileSync(await download.path(), 'utf8'), csv.toString());
	await shot(page, 'datasets');
	await page.getByRole('button', { name: 'Delete numbers' }).click();
	await page.getByText('No data sets yet').waitFor();

	// a script job with a data set, uploaded with a progress bar
	await page.goto(`${BASE}/#/submit?kind=script`);
	await page.getByLabel('Name').fill('script-web');
	await page.getByLabel('Script file').setInputFiles({ name: 'run.sh', mimeType: 'text/x-sh',
		buffer: Buffer.from('echo "rows: $(wc -l < "$KILN_DATASET")"\ncp "$KILN_DATASET" "$KILN_OUTPUT_DIR/copy.csv"\n') });
	await page.getByLabel('Data set file (optional)').setInputFiles({ name: 'rows.csv', mimeType: 'text/csv', buffer: csv });
	await page.getByLabel('GPUs').fill('0');
	await page.getByRole('button', { name: 'Upload and submit' }).click();
	await page.waitForURL(/#\/jobs\/\d+$/);
	await page.locator('pre.log').filter({ hasText: 'rows: 3' }).waitFor();
	await page.getByRole('link', { name: 'Download copy.csv' }).waitFor();

	// a batch of two commands, with its progress
	await page.goto(`${BASE}/#/batches`);
	await page.getByLabel('Name').fill('pair');
	await page.getByLabel('Commands').fill('true\necho second');
	await page.getByRole('button', { name: 'Create batch' }).click();
	await page.waitForURL(/#\/batches\/\d+$/);
	await page.getByText('2 of 2 ended').waitFor();
	await page.goto(`${BASE}/#/batches`);
	await page.getByRole('link', { name: 'pair' }).waitFor();
	await page.locator('td .muted', { hasText: '2 / 2' }).waitFor();
	await shot(page, 'batches');

	// an API key, shown once, that works, then revoked
	await page.goto(`${BASE}/#/keys`);
	await page.getByLabel('Name').fill('ci');
	await page.getByRole('button', { name: 'Create key' }).click();
	const key = await page.locator('#new-key').innerText();
	assert.match(key, /^kiln_/);
	let r = await page.request.get(`${BASE}/api/v1/auth/me`, { headers: { 'X-API-Key': key } });
	assert.equal(r.status(), 200);
	await shot(page, 'keys');
	await page.getByRole('button', { name: 'Revoke key ci' }).click();
	await page.getByText('No API keys').waitFor();
	r = await page.request.get(`${BASE}/api/v1/auth/me`, { headers: { 'X-API-Key': key } });
	assert.equal(r.status(), 401);
	await done(page);

	const admin = await newPage();
	await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
	await admin.goto(`${BASE}/#/admin/prices`);
	const gpu = admin.getByLabel('Price of gpu_second per second');
	const old = await gpu.inputValue();
	await gpu.fill('0.0006');
	await admin.getByRole('button', { name: 'Save prices' }).click();
	await admin.getByText('Saved 1 price(s).').waitFor();
	await shot(admin, 'admin-prices');
	await gpu.fill(old);
	await admin.getByRole('button', { name: 'Save prices' }).click();
	await admin.getByText('Saved 1 price(s).').waitFor();
	// a node holding off after a storage fault says so; a drain ends the hold
	sql('UPDATE nodes SET claim_hold_until = NOW(6) + INTERVAL 60 SECOND');
	await admin.goto(`${BASE}/#/nodes`);
	await admin.getByText(/storage fault: claims no jobs until/).waitFor();
	await admin.getByRole('button', { name: /^Drain / }).click();
	await admin.locator('.badge', { hasText: 'draining' }).waitFor();
	await admin.getByText(/storage fault/).waitFor({ state: 'detached' });
	await admin.getByRole('button', { name: /^Undrain / }).click();
	await admin.getByRole('button', { name: /^Drain / }).waitFor();
	await done(admin);
});
