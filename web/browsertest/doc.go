// Package browsertest drives the real server program in Debian's Chromium with chromedp:
// live updates between two members, a moderator's whole round, recovery after the server
// restarts, the language switch, an axe-core accessibility check of every page in both
// languages, and (with SCREENSHOTS=1) screenshots of the main pages for docs/screenshots.
//
// The tests build ./server, run it on a free 127.0.0.1 port with an SQLite file in a
// temporary directory, and seed it through the JSON API. They need the chromium package
// (CHROMIUM overrides /usr/bin/chromium) and testdata/axe.min.js from the npm package
// axe-core (see the Makefile); `make test` provides both, and without them the tests fail.
package browsertest
