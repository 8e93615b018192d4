// Object metadata (x-amz-meta-*) on everything this product stores: which key sealed it and in
// which format, readable without the key.
export const METADATA_KEY_ID = 'pno-key-id';
export const METADATA_FORMAT = 'pno-format';
