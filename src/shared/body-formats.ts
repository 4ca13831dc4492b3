/**
 * The binary body formats an API route takes and gives, in one place for the runtime (which reads
 * and writes them) and both OpenAPI documents (which offer them): a single tensor (.npy, or raw
 * bytes under octet-stream) only where the API has exactly one input or output, .npz for any count.
 */

/** numpy defines no MIME type for .npz; this is the one answers carry. */
export const NPZ_TYPE = 'application/x-npz';

/**
 * Request types read as .npz: ours, the unprefixed spelling, and what tools label a zip file with
 * (an .npz is a zip; `curl -F`, browsers and python's mimetypes call it application/zip).
 * `application/octet-stream` holding a zip (PK\x03\x04) and no x-tensor-dtype is read as .npz too.
 */
export const NPZ_REQUEST_TYPES: readonly string[] = [
  NPZ_TYPE,
  'application/npz',
  'application/zip',
  'application/x-zip-compressed',
];

/** Accept values that ask for an .npz answer. */
export const NPZ_ACCEPT_TYPES: readonly string[] = [NPZ_TYPE, 'application/npz'];

export const NPY_TYPE = 'application/x-npy';
export const OCTET_TYPE = 'application/octet-stream';

/** Whether a body of `count` tensors may use the single-tensor types (.npy, octet-stream). */
export const singleTensorBody = (count: number): boolean => count === 1;
