/* th-cli-network.h: the Wi-Fi or Thread network threshold-cli gives a device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "commissioning/th-commissioner.h"

G_BEGIN_DECLS

/* The credentials of --wifi SSID with --wifi-password-file FILE ("-" is standard input), or
 * of --thread-dataset HEX; NULL without error when neither was given. The password is read
 * from its file, never from the command line, and its first line is taken. */
ThNetworkCredentials *th_cli_network_credentials_from_options (const char  *ssid,
                                                               const char  *password_file,
                                                               const char  *dataset_hex,
                                                               GError     **error);

/* Answers ::network-credentials-needed on a terminal: shows the networks the device saw and
 * asks for the SSID and password (not echoed), or the Thread dataset. */
typedef struct _ThCliNetworkPrompt ThCliNetworkPrompt;

ThCliNetworkPrompt *th_cli_network_prompt_new  (ThCommissioner     *commissioner);
void                th_cli_network_prompt_free (ThCliNetworkPrompt *prompt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThCliNetworkPrompt, th_cli_network_prompt_free)

G_END_DECLS
