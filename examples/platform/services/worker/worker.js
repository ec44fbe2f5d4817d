// Background worker: reads its credentials from the environment.
const token = process.env.QUEUE_TOKEN;
const password = process.env.DB_PASSWORD;

export async function run(queue) {
  for await (const job of queue.consume({ token })) {
    await job.ack();
  }
}
