<?php
# HelpdeskConnector - configuration page (URL, secret, timeout).
# Licensed under the MIT license.

auth_reauthenticate();
access_ensure_global_level(config_get('manage_plugin_threshold'));

$t_url = (string) plugin_config_get('url');
$t_secret_is_set = (string) plugin_config_get('secret') !== '';
$t_timeout = (int) plugin_config_get('timeout');
$t_transport = function_exists('curl_init') ? 'curl' : plugin_lang_get('transport_stream');

layout_page_header(plugin_lang_get('config_title'));
layout_page_begin('manage_overview_page.php');
print_manage_menu('manage_plugin_page.php');
?>

<div class="col-md-12 col-xs-12">
<div class="space-10"></div>
<div class="form-container">
<form action="<?php echo plugin_page('config_update') ?>" method="post">
<?php echo form_security_field('plugin_HelpdeskConnector_config') ?>
<div class="widget-box widget-color-blue2">
	<div class="widget-header widget-header-small">
		<h4 class="widget-title lighter"><?php echo plugin_lang_get('config_title') ?></h4>
	</div>
	<div class="widget-body">
	<div class="widget-main no-padding">
	<div class="table-responsive">
	<table class="table table-bordered table-condensed table-striped">
		<tr>
			<th class="category width-30"><label for="hdc_url"><?php echo plugin_lang_get('url') ?></label></th>
			<td>
				<input type="url" id="hdc_url" name="url" class="input-sm" size="70" maxlength="500"
					placeholder="https://connector.example.org/webhooks/mantis"
					value="<?php echo string_attribute($t_url) ?>" />
				<br /><small><?php echo plugin_lang_get('url_help') ?></small>
			</td>
		</tr>
		<tr>
			<th class="category"><label for="hdc_secret"><?php echo plugin_lang_get('secret') ?></label></th>
			<td>
				<input type="password" id="hdc_secret" name="secret" class="input-sm" size="70" maxlength="500"
					autocomplete="new-password" value="" />
				<br /><small><?php
					echo plugin_lang_get($t_secret_is_set ? 'secret_is_set' : 'secret_not_set'), ' ',
						plugin_lang_get('secret_help') ?></small>
				<?php if ($t_secret_is_set) { ?>
				<br /><label><input type="checkbox" name="clear_secret" value="1" class="ace" />
					<span class="lbl"> <?php echo plugin_lang_get('secret_clear') ?></span></label>
				<?php } ?>
			</td>
		</tr>
		<tr>
			<th class="category"><label for="hdc_timeout"><?php echo plugin_lang_get('timeout') ?></label></th>
			<td>
				<input type="number" id="hdc_timeout" name="timeout" class="input-sm" min="1" max="30"
					value="<?php echo $t_timeout ?>" />
				<br /><small><?php echo plugin_lang_get('timeout_help') ?></small>
			</td>
		</tr>
		<tr>
			<th class="category"><?php echo plugin_lang_get('transport') ?></th>
			<td><?php echo string_html_specialchars($t_transport) ?></td>
		</tr>
	</table>
	</div>
	</div>
	<div class="widget-toolbox padding-8 clearfix">
		<input type="submit" class="btn btn-primary btn-white btn-round"
			value="<?php echo plugin_lang_get('action_update') ?>" />
	</div>
	</div>
</div>
</form>
</div>
</div>

<?php
layout_page_end();
