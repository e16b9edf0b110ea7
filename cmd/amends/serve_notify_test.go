package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSMTPFlags: no --smtp-addr turns e-mail off; a bad address or From is
// refused; the password comes from the file, else from AMENDS_SMTP_PASSWORD.
func TestSMTPFlags(t *testing.T) {
	if m, err := (smtpFlags{}).mailer(); m != nil || err != nil {
		t.Errorf("no server: %v, %v", m, err)
	}
	for _, f := range []smtpFlags{
		{addr: "mail.example.com", from: "status@example.com"},
		{addr: "mail.example.com:587", from: "not an address"},
		{addr: "mail.example.com:587", from: "status@example.com", passwordFile: filepath.Join(t.TempDir(), "missing")},
	} {
		if _, err := f.mailer(); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	t.Setenv("AMENDS_SMTP_PASSWORD", "from-env")
	m, err := smtpFlags{addr: "mail.example.com:587", from: "status@example.com", user: "amends"}.mailer()
	if err != nil || m.Password != "from-env" || m.User != "amends" {
		t.Fatalf("env password: %+v, %v", m, err)
	}
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err = smtpFlags{addr: "mail.example.com:587", from: "status@example.com", passwordFile: file}.mailer()
	if err != nil || m.Password != "from-file" {
		t.Fatalf("file password: %+v, %v", m, err)
	}
}
