/* th-exchange-manager.c: sessions and exchanges over one transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "crypto/th-crypto.h"
#include "th-error.h"
#include "th-exchange-manager.h"
#include "th-exchange-private.h"
#include "th-session-private.h"

/* Peers that start unsecured exchanges with us each get a session; the oldest go first. */
#define MAX_RESPONDER_UNSECURED_SESSIONS 16

typedef struct
{
  ThSession *session;
  guint16 exchange_id;
  gboolean initiator;                   /* whether this node started the exchange */
} ExchangeKey;

typedef struct
{
  ThProtocolHandler func;
  gpointer user_data;
  GDestroyNotify destroy;
} Handler;

struct _ThExchangeManager
{
  GObject parent_instance;

  ThTransport *transport;
  gulong received_id;
  ThClock *clock;
  ThJitterFunc jitter_func;
  gpointer jitter_data;
  GDestroyNotify jitter_destroy;
  ThMrpParameters local_mrp;
  gboolean closed;

  ThMessageCounter unencrypted_counter;
  guint16 next_exchange_id;
  guint16 next_session_id;

  GHashTable *exchanges;                /* ExchangeKey -> ThExchange */
  GHashTable *secure_sessions;          /* local session id -> ThSession */
  GHashTable *reserved_session_ids;     /* local session ids handed out for handshakes */
  GPtrArray *unsecured_sessions;        /* ThSession, oldest first */
  GHashTable *handlers;                 /* protocol id -> Handler */
};

G_DEFINE_FINAL_TYPE (ThExchangeManager, th_exchange_manager, G_TYPE_OBJECT)

static guint peer_closed_session_signal;

static guint
exchange_key_hash (gconstpointer data)
{
  const ExchangeKey *key = data;

  return g_direct_hash (key->session) ^ key->exchange_id ^ (key->initiator ? 0x10000u : 0);
}

static gboolean
exchange_key_equal (gconstpointer a,
                    gconstpointer b)
{
  const ExchangeKey *ka = a;
  const ExchangeKey *kb = b;

  return ka->session == kb->session && ka->exchange_id == kb->exchange_id &&
         !ka->initiator == !kb->initiator;
}

static void
handler_free (gpointer data)
{
  Handler *handler = data;

  if (handler->destroy != NULL)
    handler->destroy (handler->user_data);
  g_free (handler);
}

static double
default_jitter (gpointer user_data)
{
  return g_random_double ();
}

static void
on_received (ThTransport       *transport,
             GBytes            *datagram,
             GSocketAddress    *from,
             ThExchangeManager *self);

/* Ends the exchanges of one session, or of every session when `session` is NULL. */
static void
abort_exchanges (ThExchangeManager *self,
                 ThSession         *session,
                 const GError      *error)
{
  g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_hash_table_iter_init (&iter, self->exchanges);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (session != NULL && ((ExchangeKey *) key)->session != session)
        continue;
      g_ptr_array_add (doomed, g_object_ref (value));
      g_hash_table_iter_remove (&iter);
    }
  /* Outside the iteration: completing a task may call back into the manager. */
  for (guint i = 0; i < doomed->len; i++)
    th_exchange_abort (g_ptr_array_index (doomed, i), error);
}

void
th_exchange_manager_close (ThExchangeManager *self)
{
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (self));

  if (self->closed)
    return;
  self->closed = TRUE;

  g_object_ref (self);
  error = g_error_new_literal (TH_ERROR, TH_ERROR_SESSION_CLOSED,
                               _("The connection to the device was closed"));
  abort_exchanges (self, NULL, error);

  g_hash_table_iter_init (&iter, self->secure_sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    th_session_mark_closed (value);
  g_hash_table_remove_all (self->secure_sessions);
  for (guint i = 0; i < self->unsecured_sessions->len; i++)
    th_session_mark_closed (g_ptr_array_index (self->unsecured_sessions, i));
  g_ptr_array_set_size (self->unsecured_sessions, 0);
  g_hash_table_remove_all (self->reserved_session_ids);
  g_hash_table_remove_all (self->handlers);

  g_clear_signal_handler (&self->received_id, self->transport);
  th_transport_close (self->transport);
  g_object_unref (self);
}

static void
th_exchange_manager_dispose (GObject *object)
{
  ThExchangeManager *self = TH_EXCHANGE_MANAGER (object);

  th_exchange_manager_close (self);
  if (self->jitter_destroy != NULL)
    self->jitter_destroy (self->jitter_data);
  self->jitter_destroy = NULL;

  G_OBJECT_CLASS (th_exchange_manager_parent_class)->dispose (object);
}

static void
th_exchange_manager_finalize (GObject *object)
{
  ThExchangeManager *self = TH_EXCHANGE_MANAGER (object);

  g_hash_table_unref (self->exchanges);
  g_hash_table_unref (self->secure_sessions);
  g_hash_table_unref (self->reserved_session_ids);
  g_ptr_array_unref (self->unsecured_sessions);
  g_hash_table_unref (self->handlers);
  g_clear_object (&self->transport);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (th_exchange_manager_parent_class)->finalize (object);
}

static void
th_exchange_manager_class_init (ThExchangeManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_exchange_manager_dispose;
  object_class->finalize = th_exchange_manager_finalize;

  /* The peer ended a secure session with CloseSession; the session is closed already. */
  peer_closed_session_signal =
    g_signal_new ("peer-closed-session", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TH_TYPE_SESSION);
}

static void
th_exchange_manager_init (ThExchangeManager *self)
{
  self->exchanges = g_hash_table_new_full (exchange_key_hash, exchange_key_equal, g_free,
                                           g_object_unref);
  self->secure_sessions = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->reserved_session_ids = g_hash_table_new (NULL, NULL);
  self->unsecured_sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->handlers = g_hash_table_new_full (NULL, NULL, NULL, handler_free);
  self->jitter_func = default_jitter;
  th_mrp_parameters_init_default (&self->local_mrp);
}

ThExchangeManager *
th_exchange_manager_new (ThTransport  *transport,
                         ThClock      *clock,
                         GError      **error)
{
  g_autoptr(ThExchangeManager) self = NULL;
  guint32 random[3];

  g_return_val_if_fail (TH_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (clock == NULL || TH_IS_CLOCK (clock), NULL);

  if (!th_random_bytes ((guint8 *) random, sizeof random, error))
    return NULL;

  self = g_object_new (TH_TYPE_EXCHANGE_MANAGER, NULL);
  self->transport = g_object_ref (transport);
  self->clock = clock != NULL ? g_object_ref (clock) : th_clock_new_system ();
  th_message_counter_init (&self->unencrypted_counter, TH_MESSAGE_COUNTER_UNENCRYPTED,
                           random[0]);
  self->next_exchange_id = (guint16) random[1];
  self->next_session_id = (guint16) random[2];
  self->received_id = g_signal_connect (transport, "received", G_CALLBACK (on_received),
                                        self);
  return g_steal_pointer (&self);
}

ThTransport *
th_exchange_manager_get_transport (ThExchangeManager *self)
{
  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (self), NULL);

  return self->transport;
}

const ThMrpParameters *
th_exchange_manager_get_local_mrp_parameters (ThExchangeManager *self)
{
  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (self), NULL);

  return &self->local_mrp;
}

void
th_exchange_manager_set_local_mrp_parameters (ThExchangeManager     *self,
                                              const ThMrpParameters *parameters)
{
  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (self));
  g_return_if_fail (parameters != NULL);

  self->local_mrp = *parameters;
}

void
th_exchange_manager_set_jitter_func (ThExchangeManager *self,
                                     ThJitterFunc       func,
                                     gpointer           user_data,
                                     GDestroyNotify     destroy)
{
  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (self));

  if (self->jitter_destroy != NULL)
    self->jitter_destroy (self->jitter_data);
  self->jitter_func = func != NULL ? func : default_jitter;
  self->jitter_data = func != NULL ? user_data : NULL;
  self->jitter_destroy = func != NULL ? destroy : NULL;
}

ThClock *
th_exchange_manager_get_clock (ThExchangeManager *self)
{
  return self->clock;
}

double
th_exchange_manager_get_jitter (ThExchangeManager *self)
{
  return self->jitter_func (self->jitter_data);
}

gboolean
th_exchange_manager_uses_mrp (ThExchangeManager *self)
{
  return !th_transport_is_reliable (self->transport);
}

GBytes *
th_exchange_manager_encode (ThExchangeManager       *self,
                            ThSession               *session,
                            const ThProtocolHeader  *protocol,
                            GBytes                  *payload,
                            guint32                 *counter,
                            GError                 **error)
{
  return th_session_encode (session, &self->unencrypted_counter, protocol, payload, counter,
                            error);
}

gboolean
th_exchange_manager_transmit (ThExchangeManager  *self,
                              ThSession          *session,
                              GBytes             *datagram,
                              GError            **error)
{
  if (self->closed)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_SESSION_CLOSED,
                           _("The connection to the device was closed"));
      return FALSE;
    }
  return th_transport_send (self->transport, th_session_get_peer_address (session), datagram,
                            error);
}

void
th_exchange_manager_send_standalone_ack (ThExchangeManager *self,
                                         ThSession         *session,
                                         guint16            exchange_id,
                                         gboolean           from_initiator,
                                         guint32            ack_counter)
{
  ThProtocolHeader protocol = { 0 };
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) datagram = NULL;
  g_autoptr(GError) error = NULL;
  guint32 counter;

  if (!th_exchange_manager_uses_mrp (self))
    return;

  protocol.exchange_flags = TH_EXCHANGE_FLAG_ACK |
                            (from_initiator ? TH_EXCHANGE_FLAG_INITIATOR : 0);
  protocol.opcode = TH_SECURE_CHANNEL_STANDALONE_ACK;
  protocol.exchange_id = exchange_id;
  protocol.protocol_id = TH_PROTOCOL_SECURE_CHANNEL;
  protocol.ack_counter = ack_counter;

  datagram = th_session_encode (session, &self->unencrypted_counter, &protocol, empty,
                                &counter, &error);
  if (datagram == NULL ||
      !th_exchange_manager_transmit (self, session, datagram, &error))
    g_debug ("Could not acknowledge message %u on exchange %u: %s", ack_counter,
             exchange_id, error->message);
}

void
th_exchange_manager_forget (ThExchangeManager *self,
                            ThExchange        *exchange)
{
  ExchangeKey key = {
    th_exchange_get_session (exchange),
    th_exchange_get_id (exchange),
    th_exchange_is_initiator (exchange),
  };
  ThExchange *known = g_hash_table_lookup (self->exchanges, &key);

  if (known == exchange)
    g_hash_table_remove (self->exchanges, &key);
}

static void
add_exchange (ThExchangeManager *self,
              ThExchange        *exchange)
{
  ExchangeKey *key = g_new0 (ExchangeKey, 1);

  key->session = th_exchange_get_session (exchange);
  key->exchange_id = th_exchange_get_id (exchange);
  key->initiator = th_exchange_is_initiator (exchange);
  g_hash_table_replace (self->exchanges, key, g_object_ref (exchange));
}

ThSession *
th_exchange_manager_open_unsecured_session (ThExchangeManager  *self,
                                            GSocketAddress     *peer,
                                            GError            **error)
{
  ThSession *session;
  guint64 node_id;

  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (self), NULL);
  g_return_val_if_fail (peer == NULL || G_IS_SOCKET_ADDRESS (peer), NULL);

  if (self->closed)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_SESSION_CLOSED,
                           _("The connection to the device was closed"));
      return NULL;
    }
  /* Draw within the operational range, as a peer may check the id like any node id. */
  do
    {
      if (!th_random_bytes ((guint8 *) &node_id, sizeof node_id, error))
        return NULL;
    }
  while (node_id == TH_NODE_ID_UNSPECIFIED || node_id > TH_NODE_ID_MAX_OPERATIONAL);

  session = th_session_new_unsecured (peer, TRUE, node_id);
  g_ptr_array_add (self->unsecured_sessions, g_object_ref (session));
  return session;
}

static gboolean
session_id_in_use (ThExchangeManager *self,
                   guint16            id)
{
  return id == 0 ||
         g_hash_table_contains (self->secure_sessions, GUINT_TO_POINTER (id)) ||
         g_hash_table_contains (self->reserved_session_ids, GUINT_TO_POINTER (id));
}

gboolean
th_exchange_manager_allocate_session_id (ThExchangeManager  *self,
                                         guint16            *session_id,
                                         GError            **error)
{
  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (self), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);

  for (guint tries = 0; tries <= G_MAXUINT16; tries++)
    {
      guint16 id = self->next_session_id++;

      if (session_id_in_use (self, id))
        continue;
      g_hash_table_add (self->reserved_session_ids, GUINT_TO_POINTER (id));
      *session_id = id;
      return TRUE;
    }
  g_set_error_literal (error, TH_ERROR, TH_ERROR_BUSY,
                       _("Every session id is in use; close some sessions first"));
  return FALSE;
}

void
th_exchange_manager_release_session_id (ThExchangeManager *self,
                                        guint16            session_id)
{
  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (self));

  g_hash_table_remove (self->reserved_session_ids, GUINT_TO_POINTER (session_id));
}

ThSession *
th_exchange_manager_add_secure_session (ThExchangeManager            *self,
                                        const ThSecureSessionConfig  *config,
                                        GError                      **error)
{
  ThSession *session;
  guint32 random;

  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (self), NULL);
  g_return_val_if_fail (config != NULL && config->keys != NULL, NULL);
  g_return_val_if_fail (config->kind == TH_SESSION_KIND_PASE ||
                        config->kind == TH_SESSION_KIND_CASE, NULL);

  if (self->closed)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_SESSION_CLOSED,
                           _("The connection to the device was closed"));
      return NULL;
    }
  if (config->local_session_id == 0 ||
      g_hash_table_contains (self->secure_sessions,
                             GUINT_TO_POINTER (config->local_session_id)))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_FAILED,
                   _("Local session id %u is not free for a new session"),
                   config->local_session_id);
      return NULL;
    }
  if (!th_random_bytes ((guint8 *) &random, sizeof random, error))
    return NULL;

  g_hash_table_remove (self->reserved_session_ids,
                       GUINT_TO_POINTER (config->local_session_id));
  session = th_session_new_secure (config, random, th_clock_now_ms (self->clock));
  g_hash_table_insert (self->secure_sessions, GUINT_TO_POINTER (config->local_session_id),
                       g_object_ref (session));
  return session;
}

void
th_exchange_manager_close_session (ThExchangeManager *self,
                                   ThSession         *session)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (self));
  g_return_if_fail (TH_IS_SESSION (session));

  if (!th_session_is_open (session))
    return;

  g_object_ref (session);
  error = g_error_new_literal (TH_ERROR, TH_ERROR_SESSION_CLOSED,
                               _("The session with the device was closed"));
  abort_exchanges (self, session, error);
  th_session_mark_closed (session);
  if (th_session_is_secure (session))
    g_hash_table_remove (self->secure_sessions,
                         GUINT_TO_POINTER (th_session_get_local_session_id (session)));
  else
    g_ptr_array_remove (self->unsecured_sessions, session);
  g_object_unref (session);
}

ThExchange *
th_exchange_manager_initiate (ThExchangeManager *self,
                              ThSession         *session,
                              guint16            protocol_id)
{
  ExchangeKey key = { session, 0, TRUE };
  ThExchange *exchange;

  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (self), NULL);
  g_return_val_if_fail (TH_IS_SESSION (session), NULL);

  /* Fresh ids in turn from a random start; skip any still in use on this session. */
  do
    key.exchange_id = self->next_exchange_id++;
  while (g_hash_table_contains (self->exchanges, &key));

  exchange = th_exchange_new (self, session, key.exchange_id, protocol_id, TRUE);
  if (self->closed || !th_session_is_open (session))
    {
      g_autoptr(GError) error = g_error_new_literal (TH_ERROR, TH_ERROR_SESSION_CLOSED,
                                                     _("The session with the device was "
                                                       "closed"));

      th_exchange_abort (exchange, error);
      return exchange;
    }
  add_exchange (self, exchange);
  return exchange;
}

void
th_exchange_manager_set_protocol_handler (ThExchangeManager *self,
                                          guint16            protocol_id,
                                          ThProtocolHandler  handler,
                                          gpointer           user_data,
                                          GDestroyNotify     destroy)
{
  Handler *entry;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (self));

  if (handler == NULL)
    {
      g_hash_table_remove (self->handlers, GUINT_TO_POINTER (protocol_id));
      return;
    }
  entry = g_new0 (Handler, 1);
  entry->func = handler;
  entry->user_data = user_data;
  entry->destroy = destroy;
  g_hash_table_replace (self->handlers, GUINT_TO_POINTER (protocol_id), entry);
}

static ThSession *
find_unsecured_session (ThExchangeManager     *self,
                        const ThMessageHeader *header,
                        GSocketAddress        *from)
{
  for (guint i = 0; i < self->unsecured_sessions->len; i++)
    {
      ThSession *session = g_ptr_array_index (self->unsecured_sessions, i);

      if (th_session_matches_unsecured (session, header, from))
        return session;
    }
  return NULL;
}

static ThSession *
add_responder_unsecured_session (ThExchangeManager *self,
                                 GSocketAddress    *from,
                                 guint64            peer_node_id)
{
  ThSession *session;

  if (self->unsecured_sessions->len >= MAX_RESPONDER_UNSECURED_SESSIONS)
    {
      for (guint i = 0; i < self->unsecured_sessions->len; i++)
        {
          ThSession *oldest = g_ptr_array_index (self->unsecured_sessions, i);

          if (!th_session_is_initiator (oldest))
            {
              th_exchange_manager_close_session (self, oldest);
              break;
            }
        }
    }
  session = th_session_new_unsecured (from, FALSE, peer_node_id);
  g_ptr_array_add (self->unsecured_sessions, session);
  return session;
}

static gboolean
is_standalone_ack (const ThMessage *message)
{
  return message->protocol.protocol_id == TH_PROTOCOL_SECURE_CHANNEL &&
         message->protocol.opcode == TH_SECURE_CHANNEL_STANDALONE_ACK;
}

/* Acknowledges a message that has no exchange (any more) to do it. */
static void
ack_orphan (ThExchangeManager *self,
            ThSession         *session,
            ThMessage         *message)
{
  if (message->protocol.exchange_flags & TH_EXCHANGE_FLAG_RELIABLE)
    th_exchange_manager_send_standalone_ack (self, session, message->protocol.exchange_id,
                                             !(message->protocol.exchange_flags &
                                               TH_EXCHANGE_FLAG_INITIATOR),
                                             message->header.counter);
}

/* A CloseSession status report: general code SUCCESS, protocol Secure Channel (vendor 0),
 * protocol code CloseSession. Read here rather than with the secure channel's decoder: ending
 * the session is the message layer's work, whatever handlers sit above it. */
static gboolean
is_close_session (const ThMessage *message)
{
  const guint8 *p;
  gsize len;

  if (message->protocol.protocol_id != TH_PROTOCOL_SECURE_CHANNEL
      || message->protocol.vendor_id != 0
      || message->protocol.opcode != TH_SECURE_CHANNEL_STATUS_REPORT
      || message->payload == NULL)
    return FALSE;
  p = g_bytes_get_data (message->payload, &len);
  if (len < 8)
    return FALSE;
  return (p[0] | p[1] << 8) == 0                       /* SUCCESS */
         && (p[2] | p[3] << 8 | p[4] << 16 | (guint32) p[5] << 24) == TH_PROTOCOL_SECURE_CHANNEL
         && (p[6] | p[7] << 8) == 0x0003;              /* CloseSession */
}

static void
dispatch (ThExchangeManager *self,
          ThSession         *session,
          ThMessage         *message)
{
  const ThProtocolHeader *protocol = &message->protocol;
  gboolean from_initiator = (protocol->exchange_flags & TH_EXCHANGE_FLAG_INITIATOR) != 0;
  ExchangeKey key = { session, protocol->exchange_id, !from_initiator };
  g_autoptr(ThExchange) exchange = NULL;
  Handler *handler;

  exchange = g_hash_table_lookup (self->exchanges, &key);
  if (exchange != NULL)
    {
      g_object_ref (exchange);
      if (!th_exchange_receive (exchange, message) && !is_standalone_ack (message))
        g_debug ("Dropping an unexpected message on exchange %u", protocol->exchange_id);
      return;
    }

  if (is_standalone_ack (message))
    return;

  /* The peer ends a secure session: what runs on it fails now rather than at its timeout,
   * and nothing more is sent on it. */
  if (from_initiator && th_session_is_secure (session) && is_close_session (message))
    {
      g_debug ("The peer closed session %u", th_session_get_local_session_id (session));
      ack_orphan (self, session, message);
      th_exchange_manager_close_session (self, session);
      g_signal_emit (self, peer_closed_session_signal, 0, session);
      return;
    }

  handler = g_hash_table_lookup (self->handlers, GUINT_TO_POINTER (protocol->protocol_id));
  if (!from_initiator || handler == NULL || protocol->vendor_id != 0)
    {
      g_debug ("Dropping a message for no known exchange (exchange %u, protocol 0x%04x)",
               protocol->exchange_id, protocol->protocol_id);
      ack_orphan (self, session, message);
      return;
    }

  exchange = th_exchange_new (self, session, protocol->exchange_id, protocol->protocol_id,
                              FALSE);
  add_exchange (self, exchange);
  th_exchange_receive (exchange, message);
  handler->func (exchange, message, handler->user_data);
}

static void log_drop (GSocketAddress *from,
                      const char     *format,
                      ...) G_GNUC_PRINTF (2, 3);

/* Why a datagram was dropped, for debugging; formatted only when someone listens. */
static void
log_drop (GSocketAddress *from,
          const char     *format,
          ...)
{
  g_autofree char *where = NULL;
  g_autofree char *why = NULL;
  va_list args;

  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    return;
  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  where = th_socket_address_to_string (from);
  g_debug ("Dropping a message from %s: %s", where, why);
}

static void
on_received (ThTransport       *transport,
             GBytes            *datagram,
             GSocketAddress    *from,
             ThExchangeManager *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThMessage) message = NULL;
  g_autoptr(ThSession) transient = NULL;
  ThMessageHeader header;
  ThSession *session;
  const guint8 *data;
  gsize len;
  gsize header_len;

  data = g_bytes_get_data (datagram, &len);
  if (!th_message_header_decode (&header, data, len, &header_len, &error))
    {
      log_drop (from, "%s", error->message);
      return;
    }
  if (header.security_flags & (TH_SECURITY_FLAG_PRIVACY | TH_SECURITY_FLAG_CONTROL))
    {
      log_drop (from, "privacy and control messages are not supported");
      return;
    }
  if (th_message_header_get_session_type (&header) != TH_SESSION_TYPE_UNICAST)
    {
      log_drop (from, "group messages are not supported");
      return;
    }

  if (header.session_id != 0)
    {
      session = g_hash_table_lookup (self->secure_sessions,
                                     GUINT_TO_POINTER (header.session_id));
      if (session == NULL)
        {
          log_drop (from, "unknown session %u", header.session_id);
          return;
        }
    }
  else
    {
      session = find_unsecured_session (self, &header, from);
      /* A peer starting an exchange names itself; its session is made below if a
       * handler wants the exchange. */
      if (session == NULL && header.has_source_node_id && !header.has_destination_node_id)
        session = transient = th_session_new_unsecured (from, FALSE, header.source_node_id);
      if (session == NULL)
        {
          log_drop (from, "an unsecured message for no known session");
          return;
        }
    }

  message = th_session_decode (session, datagram, &error);
  if (message == NULL)
    {
      log_drop (from, "%s", error->message);
      return;
    }

  if (transient != NULL)
    {
      gboolean wanted = (message->protocol.exchange_flags & TH_EXCHANGE_FLAG_INITIATOR) &&
                        g_hash_table_contains (self->handlers,
                                               GUINT_TO_POINTER (message->protocol.protocol_id));

      if (!wanted)
        {
          ack_orphan (self, transient, message);
          return;
        }
      session = add_responder_unsecured_session (self, from, header.source_node_id);
    }

  if (!th_session_accept_counter (session, header.counter, &error))
    {
      /* The peer did not get our acknowledgement: it gets another, nothing more. */
      log_drop (from, "%s", error->message);
      ack_orphan (self, session, message);
      return;
    }

  th_session_note_peer_activity (session, th_clock_now_ms (self->clock));
  /* A handler may close the session or drop the last reference to the manager. */
  g_object_ref (self);
  g_object_ref (session);
  dispatch (self, session, message);
  g_object_unref (session);
  g_object_unref (self);
}
