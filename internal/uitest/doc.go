// Package uitest holds end-to-end tests of the real desktop window: the production binary
// (built with the desktop,production,webkit2_41 tags) is started under Xvfb and a session
// bus, driven with xdotool as a person would (clicks and keystrokes found by reading the
// screen with tesseract), and checked by what the window shows, read back the same way.
//
// The tests run only with CONCORDIA_UI_TESTS=1, which scripts/test-ui.sh (`make test-ui`)
// sets after wrapping them in `dbus-run-session -- xvfb-run`; then a missing tool, display or
// bus is a failure, never a skip. Without it they skip. Screenshots go to test-artifacts/ at
// the module root (or $CONCORDIA_UI_ARTIFACTS).
//
// The package has no code of its own: everything is in its _test.go files.
package uitest
