package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters of a password hash.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// PasswordParams are the parameters new hashes are made with: the OWASP
// minimum for argon2id (19 MiB, 2 passes, 1 lane). Tests may lower them;
// hashes record their own parameters, so existing ones still verify.
var PasswordParams = Argon2Params{Memory: 19456, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32

	// Bounds on parameters read from a stored hash, so that a corrupt or
	// hostile row cannot make a login allocate gigabytes or spin for
	// minutes.
	maxMemory = 1 << 20 // 1 GiB
	maxTime   = 64
)

var b64 = base64.RawStdEncoding

// HashPassword hashes pw with argon2id, a random 16-byte salt and
// PasswordParams, in the PHC string format
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	p := PasswordParams
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches encoded, a hash made by
// HashPassword, using the parameters recorded in encoded and a constant-time
// comparison. It returns an error (not a domain error: a stored hash that
// cannot be read is an internal fault) if encoded is not such a hash.
func VerifyPassword(encoded, pw string) (bool, error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

var errPHC = errors.New("password hash: not an argon2id PHC string")

func parsePHC(s string) (p Argon2Params, salt, key []byte, err error) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errPHC
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || fmt.Sprintf("v=%d", v) != parts[2] {
		return p, nil, nil, fmt.Errorf("password hash: bad version field %q", parts[2])
	}
	if v != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash: argon2 version %d, want %d", v, argon2.Version)
	}
	var m, t, th uint64
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, th) != parts[3] {
		return p, nil, nil, fmt.Errorf("password hash: bad parameters %q", parts[3])
	}
	if m < 8*th || m > maxMemory || t < 1 || t > maxTime || th < 1 || th > 255 {
		return p, nil, nil, fmt.Errorf("password hash: parameters out of range %q", parts[3])
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("password hash: bad salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("password hash: bad hash")
	}
	return Argon2Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th)}, salt, key, nil
}
