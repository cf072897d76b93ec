// rabbitmq-c 0.11 (Debian librabbitmq-dev): flat headers.
#ifndef CANOPY_CRABBITMQ_SHIM_H
#define CANOPY_CRABBITMQ_SHIM_H

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>

// amqp_login is C-variadic, which Swift cannot call; this fixed-arity wrapper can.
static inline amqp_rpc_reply_t canopy_amqp_login_plain(
    amqp_connection_state_t state, const char *vhost, int channel_max, int frame_max,
    int heartbeat, const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat,
                      AMQP_SASL_METHOD_PLAIN, user, password);
}

// The same, naming the connection (shown by `rabbitmqctl list_connections client_properties`).
static inline amqp_rpc_reply_t canopy_amqp_login_named(
    amqp_connection_state_t state, const char *vhost, int frame_max, int heartbeat,
    const char *user, const char *password, const char *connection_name) {
    amqp_table_entry_t entry;
    entry.key = amqp_cstring_bytes("connection_name");
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = amqp_cstring_bytes(connection_name);
    amqp_table_t properties;
    properties.num_entries = 1;
    properties.entries = &entry;
    return amqp_login_with_properties(state, vhost, 0, frame_max, heartbeat, &properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

#endif
