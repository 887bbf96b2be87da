import hashlib

import pytest

from keys.keypair import KeyFileError, SigningKey, kid_for, verify_signature


def test_kid_is_truncated_sha256_of_the_raw_public_key() -> None:
    key = SigningKey(bytes(32))
    assert key.kid == hashlib.sha256(key.public_key).digest()[:4]
    assert kid_for(key.public_key) == key.kid


def test_sign_and_verify() -> None:
    key = SigningKey.generate()
    sig = key.sign(b"message")
    assert len(sig) == 64
    assert verify_signature(key.public_key, sig, b"message")
    assert not verify_signature(key.public_key, sig, b"messagE")
    assert not verify_signature(SigningKey.generate().public_key, sig, b"message")
    assert not verify_signature(key.public_key, sig[:10], b"message")


def test_private_key_round_trips_only_with_the_passphrase() -> None:
    key = SigningKey.generate()
    pem = key.to_encrypted_pem(b"correct horse")
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert SigningKey.from_encrypted_pem(pem, b"correct horse").public_key == key.public_key
    with pytest.raises(KeyFileError) as info:
        SigningKey.from_encrypted_pem(pem, b"wrong")
    assert info.value.code == "BAD_PASSPHRASE_OR_FILE"


def test_refuses_unencrypted_output_and_hides_secrets_in_repr() -> None:
    key = SigningKey.generate()
    with pytest.raises(ValueError):
        key.to_encrypted_pem(b"")
    assert key.kid.hex() in repr(key)
    assert key._secret.hex() not in repr(key)


@pytest.mark.parametrize("data", [b"", b"garbage", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_hostile_key_files_give_a_key_file_error(data: bytes) -> None:
    with pytest.raises(KeyFileError):
        SigningKey.from_encrypted_pem(data, b"pw")
