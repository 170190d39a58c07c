<?php
# HelpdeskConnector - saves the configuration page.
# Licensed under the MIT license.

form_security_validate('plugin_HelpdeskConnector_config');
auth_reauthenticate();
access_ensure_global_level(config_get('manage_plugin_threshold'));

$f_url = trim(gpc_get_string('url', ''));
$f_secret = trim(gpc_get_string('secret', ''));
$f_clear_secret = gpc_get_bool('clear_secret');
$f_timeout = gpc_get_int('timeout', 3);

if ($f_url !== '' && !\HelpdeskConnector\Sender::isValidUrl($f_url)) {
	error_parameters(plugin_lang_get('url'));
	trigger_error(ERROR_INVALID_FIELD_VALUE, ERROR);
}
if ($f_timeout < 1 || $f_timeout > 30) {
	error_parameters(plugin_lang_get('timeout'));
	trigger_error(ERROR_INVALID_FIELD_VALUE, ERROR);
}

$t_values = ['url' => $f_url, 'timeout' => $f_timeout];
if ($f_clear_secret) {
	$t_values['secret'] = '';
} elseif ($f_secret !== '') {
	$t_values['secret'] = $f_secret;   # an empty field keeps the stored secret
}
foreach ($t_values as $t_name => $t_value) {
	if ($t_value !== plugin_config_get($t_name)) {
		plugin_config_set($t_name, $t_value);
	}
}

form_security_purge('plugin_HelpdeskConnector_config');
print_header_redirect(plugin_page('config', true));
