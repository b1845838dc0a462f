// How every script here starts headless Firefox (ESR, from Debian): puppeteer-core over
// WebDriver BiDi, shared by the end-to-end tests and the browser benchmark.

import puppeteer from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

export function launchFirefox() {
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
}
