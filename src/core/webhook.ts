/**
 * An inbound webhook, platform neutral: the HTTP server (src/server) mounts one, a service
 * implements it. Accepts a parsed JSON body; returns the HTTP status and a short message.
 */
export type MackerelWebhookHandler = (payload: unknown) => Promise<{ status: number; message: string }>;
