// A real BIND9 on loopback for `kfed sandbox --bind` and the tests: start it, and the
// Secret + DNSProvider that point kfed at it.
export { locateNamed, startBind, type RunningBind, type StartBindOptions } from './start-bind.js';
export { generateKey, type BindKey, type BindZone } from './bind-config.js';
export { bindProviderObjects, type BindProviderObjects, type BindProviderOptions } from './bind-provider.js';
