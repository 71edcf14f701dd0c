export {
  createRecorder,
  decodeRecordPayload,
  type RecorderCredentials,
  type RecorderOptions,
  type TransactionRecorder,
} from './recorder.js';
