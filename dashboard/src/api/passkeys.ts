/** The passkey ceremonies: the server makes the options and checks the answer; the browser
 * (through @simplewebauthn/browser) asks the authenticator. Nothing secret stays here. */
import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/browser";
import { api, unwrap } from "./client";
import { signIn, signOut, type Session } from "./session";
import type { components } from "./schema";

type RegistrationCredential = components["schemas"]["RegistrationCredential"];
type AuthenticationCredential = components["schemas"]["AuthenticationCredential"];

async function created(options: Record<string, unknown>): Promise<RegistrationCredential> {
  const optionsJSON = options as unknown as PublicKeyCredentialCreationOptionsJSON;
  return (await startRegistration({ optionsJSON })) as unknown as RegistrationCredential;
}

async function asserted(options: Record<string, unknown>): Promise<AuthenticationCredential> {
  const optionsJSON = options as unknown as PublicKeyCredentialRequestOptionsJSON;
  return (await startAuthentication({ optionsJSON })) as unknown as AuthenticationCredential;
}

export async function register(name: string, displayName: string, code: string, passkeyName = "passkey"): Promise<Session> {
  const begun = unwrap(await api.POST("/api/auth/register/begin", { body: { name, display_name: displayName, code } }));
  const credential = await created(begun.options);
  const done = unwrap(
    await api.POST("/api/auth/register/complete", {
      body: { ceremony_id: begun.ceremony_id, credential, passkey_name: passkeyName },
    }),
  );
  return signIn(done);
}

/** Sign in; without a name the authenticator offers its discoverable passkeys. */
export async function login(name?: string): Promise<Session> {
  const begun = unwrap(await api.POST("/api/auth/login/begin", { body: name ? { name } : {} }));
  const credential = await asserted(begun.options);
  const done = unwrap(await api.POST("/api/auth/login/complete", { body: { ceremony_id: begun.ceremony_id, credential } }));
  return signIn(done);
}

/** A fresh assertion: for the next few minutes the dangerous actions are allowed. */
export async function stepUp(): Promise<Session> {
  const begun = unwrap(await api.POST("/api/auth/step-up/begin"));
  const credential = await asserted(begun.options);
  const done = unwrap(await api.POST("/api/auth/step-up/complete", { body: { ceremony_id: begun.ceremony_id, credential } }));
  return signIn(done);
}

export async function addPasskey(name: string): Promise<void> {
  const begun = unwrap(await api.POST("/api/auth/passkeys/begin"));
  const credential = await created(begun.options);
  unwrap(await api.POST("/api/auth/passkeys/complete", { body: { ceremony_id: begun.ceremony_id, credential, name } }));
}

export async function logout(): Promise<void> {
  try {
    await api.POST("/api/auth/logout");
  } finally {
    signOut(null);
  }
}
