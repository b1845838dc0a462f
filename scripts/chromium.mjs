// How every script here starts headless Debian Chromium: one list of flags, shared by the
// end-to-end tests and the benchmarks. The background-networking flags keep Chromium from
// calling out to Google's hosts, which this machine's closed network refuses.

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
