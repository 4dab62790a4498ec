package model

import "testing"

// A time after year 9999 in UTC cannot be written back as RFC 3339.
func TestDateTimeAfter9999IsRefused(t *testing.T) {
	if _, err := UnmarshalDateTime("9999-12-31T23:59:59-01:00"); err == nil {
		t.Error("year 10000 in UTC accepted")
	}
	if _, err := UnmarshalDateTime("9999-12-31T23:59:59Z"); err != nil {
		t.Errorf("the last writable second refused: %v", err)
	}
}
