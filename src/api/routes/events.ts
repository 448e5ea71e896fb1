/**
 * Live progress over Server-Sent Events. The server polls the database once a second per stream
 * and sends an event only when the answer changed (plus a comment line every 15 s to keep proxies
 * from closing an idle stream). A task's stream ends with `event: end` when the task is final.
 */
import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TERMINAL_TASK_STATES } from '../../model/index.ts';
import { listTasks, recentTaskIds, taskProgress } from '../../store/operator-queries.ts';
import type { ApiBackend } from '../backend.ts';
import { requireTask, taskView } from '../views.ts';

const POLL_MS = 1000;
const KEEPALIVE_MS = 15_000;

/** Runs `tick` every second on an open event stream until it returns false or the client leaves. */
function stream(
  req: FastifyRequest,
  reply: FastifyReply,
  tick: (send: (event: string, data: unknown) => void) => Promise<boolean>,
) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  let closed = false;
  let last = Date.now();
  const send = (event: string, data: unknown) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    last = Date.now();
  };
  const loop = async () => {
    while (!closed) {
      try {
        if (!(await tick(send))) break;
      } catch (err) {
        req.log.warn({ err }, 'event stream poll failed');
        send('error', { message: (err as Error).message });
      }
      if (Date.now() - last > KEEPALIVE_MS) {
        res.write(': keep-alive\n\n');
        last = Date.now();
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    closed = true;
    res.end();
  };
  req.raw.on('close', () => {
    closed = true;
  });
  void loop();
}

export function eventRoutes(app: FastifyInstance, b: ApiBackend): void {
  app.get(
    '/api/tasks/:taskId/events',
    {
      schema: {
        tags: ['events'],
        summary: "A task's progress as Server-Sent Events (progress, then end)",
        params: z.object({ taskId: z.string().min(1).max(200) }),
      },
    },
    async (req, reply) => {
      const { taskId } = req.params as { taskId: string };
      // Checked before the stream opens, so an unknown task is a plain 404.
      await requireTask(b, taskId);
      let previous = '';
      stream(req, reply, async (send) => {
        const p = await taskProgress(b.db, taskId);
        if (!p) return false;
        const { durationSeconds: _d, ...stable } = p;
        const key = JSON.stringify(stable);
        const final = TERMINAL_TASK_STATES.includes(p.state);
        if (key !== previous || final) send(final ? 'end' : 'progress', p);
        previous = key;
        return !final;
      });
    },
  );

  app.get(
    '/api/events',
    {
      schema: { tags: ['events'], summary: 'Live tasks (and those finished in the last minute) as Server-Sent Events' },
    },
    async (req, reply) => {
      let previous = '';
      stream(req, reply, async (send) => {
        const ids = new Set(await recentTaskIds(b.db, 60));
        const page = await listTasks(b.db, { limit: 200 });
        const tasks = [];
        for (const t of page.items.filter((x) => ids.has(x.taskId)))
          tasks.push({ ...taskView(t), progress: await taskProgress(b.db, t.taskId) });
        const key = JSON.stringify(tasks.map((t) => [t.taskId, t.state, t.progress?.processed, t.progress?.steps]));
        if (key !== previous) send('tasks', { tasks });
        previous = key;
        return true;
      });
    },
  );
}
