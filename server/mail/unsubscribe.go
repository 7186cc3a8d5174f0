package mail

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// UnsubscribeToken names a user and a kind of notification, signed: holding it is enough to
// switch that kind off (RFC 8058's one click), and nothing else.
func (o *Outbox) UnsubscribeToken(userID int64, kind string) string {
	id := strconv.FormatInt(userID, 10)
	return id + "." + kind + "." + o.sign(id, kind)
}

// UnsubscribeURL is the link a notification carries in its List-Unsubscribe header and text.
func (o *Outbox) UnsubscribeURL(userID int64, kind string) string {
	return o.base + "/unsubscribe/" + o.UnsubscribeToken(userID, kind)
}

// ParseUnsubscribe checks a token and returns the user and kind it names; ok is false for a
// token this platform did not sign or a kind that cannot be switched off.
func (o *Outbox) ParseUnsubscribe(token string) (userID int64, kind string, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !isNotification(parts[1]) {
		return 0, "", false
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != parts[0] {
		return 0, "", false
	}
	if !hmac.Equal([]byte(o.sign(parts[0], parts[1])), []byte(parts[2])) {
		return 0, "", false
	}
	return id, parts[1], true
}

func (o *Outbox) sign(id, kind string) string {
	mac := hmac.New(sha256.New, o.key)
	mac.Write([]byte("unsubscribe\x00" + id + "\x00" + kind))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}
