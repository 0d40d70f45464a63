package app

// noTrayHost is the tray status when the session bus has no tray host. It is read by a
// person in the window's first-run banner, so it says what that means for them; the D-Bus
// name that was missing goes to the log (probeTray).
var noTrayHost = TrayStatus{
	Reason: "No system tray was found on this desktop, so Concordia has no tray icon. " +
		"While you host a party, closing the window asks first instead of hiding it.",
}
