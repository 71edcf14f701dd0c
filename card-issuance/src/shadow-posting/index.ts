export {
  DEFAULT_LOOKBACK_SECONDS,
  postTerminalDebits,
  type PostingOptions,
  type PostingResult,
} from './post-terminal-debits.js';
export {
  SHADOW_POSTING_EVERY_MS,
  SHADOW_POSTING_JOB,
  SHADOW_POSTING_QUEUE,
  SHADOW_POSTING_SCHEDULER_ID,
  scheduleShadowPosting,
  shadowPostingJob,
  shadowPostingJobData,
  startShadowPostingWorker,
  type ShadowPostingDeps,
  type ShadowPostingJobData,
  type ShadowPostingJobResult,
} from './shadow-posting.job.js';
