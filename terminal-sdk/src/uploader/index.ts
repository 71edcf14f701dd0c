export {
  GatewayClient,
  type FetchLike,
  type FetchResponseLike,
  type GatewayClientOptions,
  type GatewayResult,
} from './gateway-client.js';
export { createMtlsFetch, type ClientTlsOptions, type MtlsFetch } from './mtls-fetch.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export {
  acknowledgedThrough,
  createUploader,
  type UploadResult,
  type Uploader,
  type UploaderOptions,
} from './uploader.js';
export { INITIAL_STATE, readUploaderState, type UploaderState } from './uploader-state.js';
export { startUploadLoop, type UploadLoop, type UploadLoopOptions } from './upload-loop.js';
export { sendOnline } from './online.js';
