import type { FastifyReply, FastifyRequest } from "fastify";
import { RagkitError } from "../errors.js";

export interface GateLimits {
  /** Requests of this kind running at once. */
  concurrent: number;
  /** Requests that may wait for a turn; beyond that the server answers 503 at once. */
  queued: number;
}

/**
 * Bounded admission for one kind of expensive request. A flood degrades into quick 503s with
 * Retry-After instead of an ever-growing queue that starves everything else; cheap routes
 * (`/health`, document lists) never pass through a gate.
 */
export class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly name: string,
    private readonly limits: GateLimits,
  ) {}

  /** A Fastify preHandler: waits for a turn (or refuses), and frees it when the response ends. */
  readonly preHandler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (this.running >= this.limits.concurrent) {
      if (this.waiting.length >= this.limits.queued) {
        throw new RagkitError("SERVER_BUSY", `The server is busy with ${this.name} requests; retry in a few seconds`);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    let freed = false;
    const free = () => {
      if (freed) return;
      freed = true;
      const next = this.waiting.shift();
      // The turn passes straight to the next waiter, so `running` stays as it is.
      if (next) next();
      else this.running--;
    };
    // 'close' fires when the response is done or the client went away, hijacked (SSE) or not.
    reply.raw.once("close", free);
    if (reply.raw.closed || request.raw.socket?.destroyed === true) {
      // The client left while it waited: its turn goes to the next one.
      free();
      throw new RagkitError("ABORTED", "The client closed the connection");
    }
  };
}
