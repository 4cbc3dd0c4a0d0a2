import { STATUS_CODES } from "node:http";
import { DRF_MESSAGES } from "../errors.ts";
import { Response } from "../http/fetch-api.ts";

/**
 * JSON as DRF's JSONRenderer writes it: compact, non-ASCII as is, but U+2028
 * and U+2029 escaped so the body is also a valid JavaScript literal.
 */
export function renderDrfJson(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function jsonResponse(
  status: number,
  body: unknown,
  { headers = {}, omitBody = false }: { headers?: Record<string, string>; omitBody?: boolean } = {},
): Response {
  const text = renderDrfJson(body);
  return new Response(omitBody ? null : text, {
    status,
    statusText: STATUS_CODES[status] ?? "",
    headers: {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(text)),
      ...headers,
    },
  });
}

export const notFoundResponse = (omitBody = false) => jsonResponse(404, { detail: DRF_MESSAGES.notFound }, { omitBody });
