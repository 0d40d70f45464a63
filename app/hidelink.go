package app

import (
	"strings"

	"github.com/concordia-party/concordia/internal/invite"
)

// openedLinkEnv hands a concordia:// link over to the process that the app starts itself
// again as, out of its command line (hideLink).
const openedLinkEnv = "CONCORDIA_OPENED_LINK"

// withoutLinks splits args into the link the OS opened the app with (findLink's) and
// every other argument: none that starts with the scheme stays, a broken link included
// (it may hold a token all the same).
func withoutLinks(args []string) (rest []string, link string) {
	link = findLink(args)
	for _, a := range args {
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(a)), invite.Scheme+":") {
			rest = append(rest, a)
		}
	}
	return rest, link
}
