const { capture } = require('./index');

test('retries only on 503', async () => {
  const statuses = [503, 200];
  const client = { post: async () => ({ status: statuses.shift() }) };
  expect((await capture(client, 'p-1')).status).toBe(200);
});

test('gives up after the last attempt', async () => {
  const client = { post: async () => ({ status: 503 }) };
  expect((await capture(client, 'p-2', 2)).status).toBe(503);
});
