package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/amends/amends/internal/errs"
)

// commonPasswordsGz is the 100,000 most common passwords of SecLists'
// "10 million password list", one a line, most common first (see
// docs/common-passwords.md for where it comes from and its licence).
//
//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords is the list, lowercased and sorted, read the first time
// a password is checked: a read-only table once loaded.
var commonPasswords = sync.OnceValues(func() ([]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		return nil, fmt.Errorf("auth: common password list: %w", err)
	}
	defer zr.Close()
	list := make([]string, 0, 100_000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if line := strings.ToLower(strings.TrimRight(sc.Text(), "\r")); line != "" {
			list = append(list, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("auth: common password list: %w", err)
	}
	slices.Sort(list)
	return slices.Compact(list), nil
})

// CommonPasswordCount is how many distinct (lowercased) passwords the
// shipped list holds. It is for tests and documentation.
func CommonPasswordCount() int {
	list, _ := commonPasswords()
	return len(list)
}

// IsCommonPassword reports whether pw, ignoring case, is one of the
// shipped list of common passwords.
func IsCommonPassword(pw string) bool {
	list, err := commonPasswords()
	if err != nil {
		panic(err) // the list is embedded: it cannot fail but by a broken build
	}
	_, found := slices.BinarySearch(list, strings.ToLower(pw))
	return found
}

// CheckPassword checks a new password for the account with email (may be
// empty) and returns an Invalid error on field, naming the first rule it
// breaks: at least MinPasswordLen and at most MaxPasswordLen characters,
// not one character repeated, not the account's email address (or the
// part before its @), and not one of the common passwords.
func CheckPassword(field, pw, email string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLen:
		return errs.Invalidf(field, "must be at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return errs.Invalidf(field, "must be at most %d characters", MaxPasswordLen)
	}
	first, _ := utf8.DecodeRuneInString(pw)
	if strings.Trim(pw, string(first)) == "" {
		return errs.Invalidf(field, "must not be one character repeated")
	}
	if email = NormalizeEmail(email); email != "" {
		lower := strings.ToLower(strings.TrimSpace(pw))
		local, _, _ := strings.Cut(email, "@")
		if lower == email || lower == local {
			return errs.Invalidf(field, "must not be the account's email address")
		}
	}
	if IsCommonPassword(pw) {
		return errs.Invalidf(field, "is one of the 100,000 most common passwords: choose another")
	}
	return nil
}
