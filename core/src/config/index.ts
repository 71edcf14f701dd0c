export { loadConfig, loadConfigOrExit, formatConfigProblems, type ConfigProblem } from './load.js';
export { runtimeEnv, httpEnv, keyMaterial, modes, type Mode } from './fragments.js';
export { fillDevelopmentSecrets, type SecretNotice } from './secrets.js';
