/* th-session.c: a session with one peer, unsecured or secured by PASE or CASE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crypto/th-crypto.h"
#include "th-error.h"
#include "th-exchange.h"
#include "th-session-private.h"
#include "th-transport.h"

#define SESSION_KEYS_INFO "SessionKeys"

struct _ThSession
{
  GObject parent_instance;

  ThSessionKind kind;
  gboolean is_initiator;
  gboolean open;
  GSocketAddress *peer_address;
  guint16 local_session_id;
  guint16 peer_session_id;
  guint64 local_node_id;
  guint64 peer_node_id;
  ThMrpParameters peer_mrp;
  guint expected_processing_ms;

  ThSessionKeys keys;
  ThMessageCounter counter;             /* secure sessions only */
  ThMessageReceptionState reception;

  gboolean peer_heard;
  gint64 peer_heard_ms;
};

G_DEFINE_FINAL_TYPE (ThSession, th_session, G_TYPE_OBJECT)

gboolean
th_session_keys_derive (const guint8   *secret,
                        gsize           secret_len,
                        const guint8   *salt,
                        gsize           salt_len,
                        ThSessionKeys  *keys,
                        GError        **error)
{
  guint8 okm[3 * TH_SESSION_KEY_LEN];

  G_STATIC_ASSERT (sizeof (ThSessionKeys) == sizeof okm);

  if (!th_hkdf_sha256 (salt, salt_len, secret, secret_len,
                       (const guint8 *) SESSION_KEYS_INFO, strlen (SESSION_KEYS_INFO),
                       okm, sizeof okm, error))
    return FALSE;
  memcpy (keys->i2r_key, okm, TH_SESSION_KEY_LEN);
  memcpy (keys->r2i_key, okm + TH_SESSION_KEY_LEN, TH_SESSION_KEY_LEN);
  memcpy (keys->attestation_challenge, okm + 2 * TH_SESSION_KEY_LEN, TH_SESSION_KEY_LEN);
  th_secure_wipe (okm, sizeof okm);
  return TRUE;
}

void
th_session_keys_clear (ThSessionKeys *keys)
{
  th_secure_wipe (keys, sizeof *keys);
}

static void
th_session_finalize (GObject *object)
{
  ThSession *self = TH_SESSION (object);

  th_session_keys_clear (&self->keys);
  g_clear_object (&self->peer_address);

  G_OBJECT_CLASS (th_session_parent_class)->finalize (object);
}

static void
th_session_class_init (ThSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = th_session_finalize;
}

static void
th_session_init (ThSession *self)
{
  self->open = TRUE;
  th_mrp_parameters_init_default (&self->peer_mrp);
  self->expected_processing_ms = TH_EXCHANGE_DEFAULT_PROCESSING_TIME_MS;
}

ThSession *
th_session_new_unsecured (GSocketAddress *peer_address,
                          gboolean        is_initiator,
                          guint64         ephemeral_node_id)
{
  ThSession *self = g_object_new (TH_TYPE_SESSION, NULL);

  self->kind = TH_SESSION_KIND_UNSECURED;
  self->is_initiator = is_initiator;
  self->peer_address = peer_address != NULL ? g_object_ref (peer_address) : NULL;
  if (is_initiator)
    self->local_node_id = ephemeral_node_id;
  else
    self->peer_node_id = ephemeral_node_id;
  th_message_reception_state_init (&self->reception, TH_MESSAGE_RECEPTION_UNENCRYPTED);
  return self;
}

ThSession *
th_session_new_secure (const ThSecureSessionConfig *config,
                       guint32                      counter_random,
                       gint64                       now_ms)
{
  ThSession *self = g_object_new (TH_TYPE_SESSION, NULL);

  self->kind = config->kind;
  self->is_initiator = config->is_initiator;
  self->peer_address = config->peer_address != NULL ? g_object_ref (config->peer_address)
                                                    : NULL;
  self->local_session_id = config->local_session_id;
  self->peer_session_id = config->peer_session_id;
  self->local_node_id = config->local_node_id;
  self->peer_node_id = config->peer_node_id;
  self->keys = *config->keys;
  if (config->peer_mrp_parameters != NULL)
    th_session_set_peer_mrp_parameters (self, config->peer_mrp_parameters);
  th_message_counter_init (&self->counter, TH_MESSAGE_COUNTER_SECURE_SESSION, counter_random);
  th_message_reception_state_init (&self->reception, TH_MESSAGE_RECEPTION_SECURE_UNICAST);
  /* The handshake that made the session has just heard from the peer. */
  th_session_note_peer_activity (self, now_ms);
  return self;
}

void
th_session_mark_closed (ThSession *self)
{
  self->open = FALSE;
  th_session_keys_clear (&self->keys);
}

ThSessionKind
th_session_get_kind (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), TH_SESSION_KIND_UNSECURED);

  return self->kind;
}

gboolean
th_session_is_secure (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), FALSE);

  return self->kind != TH_SESSION_KIND_UNSECURED;
}

gboolean
th_session_is_initiator (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), FALSE);

  return self->is_initiator;
}

gboolean
th_session_is_open (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), FALSE);

  return self->open;
}

GSocketAddress *
th_session_get_peer_address (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), NULL);

  return self->peer_address;
}

guint16
th_session_get_local_session_id (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), 0);

  return self->local_session_id;
}

guint16
th_session_get_peer_session_id (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), 0);

  return self->peer_session_id;
}

guint64
th_session_get_local_node_id (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), 0);

  return self->local_node_id;
}

guint64
th_session_get_peer_node_id (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), 0);

  return self->peer_node_id;
}

const guint8 *
th_session_get_attestation_challenge (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), NULL);

  if (self->kind == TH_SESSION_KIND_UNSECURED || !self->open)
    return NULL;
  return self->keys.attestation_challenge;
}

void
th_session_set_peer_mrp_parameters (ThSession             *self,
                                    const ThMrpParameters *parameters)
{
  g_return_if_fail (TH_IS_SESSION (self));
  g_return_if_fail (parameters != NULL);

  self->peer_mrp.idle_interval_ms = MIN (parameters->idle_interval_ms, TH_MRP_MAX_INTERVAL_MS);
  self->peer_mrp.active_interval_ms = MIN (parameters->active_interval_ms,
                                           TH_MRP_MAX_INTERVAL_MS);
  self->peer_mrp.active_threshold_ms = MIN (parameters->active_threshold_ms,
                                            TH_MRP_MAX_ACTIVE_THRESHOLD_MS);
}

const ThMrpParameters *
th_session_get_peer_mrp_parameters (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), NULL);

  return &self->peer_mrp;
}

void
th_session_set_expected_processing_time (ThSession *self,
                                         guint      ms)
{
  g_return_if_fail (TH_IS_SESSION (self));

  self->expected_processing_ms = ms;
}

guint
th_session_get_expected_processing_time (ThSession *self)
{
  g_return_val_if_fail (TH_IS_SESSION (self), TH_EXCHANGE_DEFAULT_PROCESSING_TIME_MS);

  return self->expected_processing_ms;
}

gboolean
th_session_matches_unsecured (ThSession             *self,
                              const ThMessageHeader *header,
                              GSocketAddress        *from)
{
  if (self->kind != TH_SESSION_KIND_UNSECURED || !self->open)
    return FALSE;
  /* The responder answers the initiator's ephemeral node id; the initiator names itself. */
  if (self->is_initiator)
    return header->has_destination_node_id && header->destination_node_id == self->local_node_id;
  return header->has_source_node_id && header->source_node_id == self->peer_node_id &&
         th_socket_address_equal (from, self->peer_address);
}

GBytes *
th_session_encode (ThSession               *self,
                   ThMessageCounter        *unencrypted_counter,
                   const ThProtocolHeader  *protocol,
                   GBytes                  *payload,
                   guint32                 *counter,
                   GError                 **error)
{
  ThMessageHeader header = { 0 };
  const guint8 *data;
  gsize len;

  if (!self->open)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_SESSION_CLOSED,
                           _("The session with the device has been closed"));
      return NULL;
    }

  header.security_flags = TH_SESSION_TYPE_UNICAST;
  data = g_bytes_get_data (payload, &len);

  if (self->kind == TH_SESSION_KIND_UNSECURED)
    {
      th_message_counter_next (unencrypted_counter, &header.counter, NULL);
      if (self->is_initiator)
        {
          header.has_source_node_id = TRUE;
          header.source_node_id = self->local_node_id;
        }
      else
        {
          header.has_destination_node_id = TRUE;
          header.destination_node_id = self->peer_node_id;
        }
      *counter = header.counter;
      return th_message_encode (&header, protocol, data, len, NULL, 0, error);
    }

  if (!th_message_counter_next (&self->counter, &header.counter, error))
    return NULL;
  header.session_id = self->peer_session_id;
  *counter = header.counter;
  return th_message_encode (&header, protocol, data, len,
                            self->is_initiator ? self->keys.i2r_key : self->keys.r2i_key,
                            self->local_node_id, error);
}

ThMessage *
th_session_decode (ThSession  *self,
                   GBytes     *datagram,
                   GError    **error)
{
  if (self->kind == TH_SESSION_KIND_UNSECURED)
    return th_message_decode (datagram, NULL, 0, error);
  return th_message_decode (datagram,
                            self->is_initiator ? self->keys.r2i_key : self->keys.i2r_key,
                            self->peer_node_id, error);
}

gboolean
th_session_accept_counter (ThSession  *self,
                           guint32     counter,
                           GError    **error)
{
  return th_message_reception_state_accept (&self->reception, counter, error);
}

void
th_session_note_peer_activity (ThSession *self,
                               gint64     now_ms)
{
  self->peer_heard = TRUE;
  self->peer_heard_ms = now_ms;
}

guint32
th_session_get_retransmission_base (ThSession *self,
                                    gint64     now_ms)
{
  if (self->peer_heard && now_ms - self->peer_heard_ms < self->peer_mrp.active_threshold_ms)
    return self->peer_mrp.active_interval_ms;
  return self->peer_mrp.idle_interval_ms;
}
