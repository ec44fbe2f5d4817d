// Payments service: capture a card payment with a bounded retry on 503.
async function capture(client, paymentId, attempts = 3) {
  for (let i = 1; ; i++) {
    const res = await client.post(`/payments/${paymentId}/capture`);
    if (res.status !== 503 || i >= attempts) return res;
  }
}

module.exports = { capture };
