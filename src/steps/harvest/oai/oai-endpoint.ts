/** Where and what to harvest over OAI-PMH: the endpoint parameters, validated with zod. */
import { z } from 'zod';

export const OAI_DATESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/;

/** Where and what to harvest. `from`/`until` are passed through as written (OAI datestamps). */
export const OaiEndpointSchema = z.object({
  baseUrl: z
    .string()
    .url()
    .refine((u) => /^https?:/i.test(u), 'baseUrl must be an http(s) URL'),
  metadataPrefix: z.string().min(1),
  set: z.string().optional(),
  from: z
    .string()
    .regex(OAI_DATESTAMP, 'from must be an OAI datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)')
    .optional(),
  until: z
    .string()
    .regex(OAI_DATESTAMP, 'until must be an OAI datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)')
    .optional(),
});
export type OaiEndpoint = z.infer<typeof OaiEndpointSchema>;
