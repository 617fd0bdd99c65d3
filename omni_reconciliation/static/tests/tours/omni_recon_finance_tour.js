/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const UNINVOICED_ROW = '.o_data_row:has(td[name="exception_type"]:contains("Uninvoiced"))';

/**
 * A finance lead works the exception list end to end: the list has no "New" button and
 * readable state badges; an uninvoiced order's exception has one primary action, its fix
 * (Create Invoice), the rest in the Action menu; the invoice it makes shows where it came
 * from (the channel and its reference at the top, a smart button to the channel order);
 * back on the list, the exception is gone from the open ones.
 * The test running it imports channel order #1001 (confirmed, not invoiced) and runs the
 * reconciliation.
 */
registry.category("web_tour.tours").add("omni_reconciliation_finance_tour", {
    test: true,
    url: "/web",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Invoicing / Accounting app",
            trigger: '.o_app[data-menu-xmlid="account.menu_finance"]',
            run: "click",
        },
        {
            content: "Open the Omnichannel menu",
            trigger: '.o_main_navbar [data-menu-xmlid="omni_reconciliation.menu_omni_recon_root"]',
            run: "click",
        },
        {
            content: "Open the exceptions",
            trigger: '.dropdown-item[data-menu-xmlid="omni_reconciliation.menu_omni_recon_exceptions"]',
            run: "click",
        },
        {
            content: "The engine's records: no New button; the state is a readable badge",
            trigger: `.o_list_view ${UNINVOICED_ROW} td[name="state"] .badge:contains("Open")`,
            extra_trigger: ".o_control_panel:not(:has(.o_list_button_add))",
            isCheck: true,
        },
        {
            content: "Open the uninvoiced order's exception",
            trigger: `.o_list_view ${UNINVOICED_ROW} td[name="name"]`,
            run: "click",
        },
        {
            content: "One primary action, the fix: Create Invoice (Resolve is secondary)",
            trigger: '.o_form_view .o_statusbar_buttons button.btn-primary[name="action_create_invoice"]',
            extra_trigger:
                '.o_form_view .o_statusbar_buttons:not(:has(button.btn-primary:not([name="action_create_invoice"])))',
            isCheck: true,
        },
        {
            content: "Explaining, ignoring and assigning are in the Action menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            extra_trigger: '.o_form_view .o_statusbar_buttons:not(:has(button[name="action_ignore"]))',
            run: "click",
        },
        {
            content: "The menu offers Explain or Ignore",
            trigger: '.o-dropdown--menu .o_menu_item:contains("Explain or Ignore")',
            extra_trigger: '.o-dropdown--menu .o_menu_item:contains("Assign to Me")',
            isCheck: true,
        },
        {
            content: "Close the menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Fix it: create the invoice",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_create_invoice"]',
            extra_trigger: ".o_control_panel:not(:has(.o-dropdown--menu))",
            run: "click",
        },
        {
            content: "The invoice says where it came from, at the top",
            trigger: '.o_form_view div[name="omni_external_ref"]:contains("1001")',
            extra_trigger: '.o_form_view div[name="omni_channel"]:contains("Test Channel")',
            isCheck: true,
        },
        {
            content: "Its smart buttons: the channel order's may be under More on a small screen",
            trigger: ".o_form_view .o-form-buttonbox",
            run() {
                const button = 'button[name="action_open_omni_origin_orders"]';
                if (!document.querySelector(`.o_form_view ${button}`)) {
                    document.querySelector(".o_form_view .o-form-buttonbox .o_button_more").click();
                }
            },
        },
        {
            content: "Follow its channel order",
            trigger: 'button[name="action_open_omni_origin_orders"]:contains("Channel Order")',
            run: "click",
        },
        {
            content: "The channel order opens; back to the exceptions from the menu",
            trigger: '.o_main_navbar [data-menu-xmlid="omni_reconciliation.menu_omni_recon_root"]',
            extra_trigger: ".o_breadcrumb .active:contains('#1001')",
            run: "click",
        },
        {
            content: "Open the exceptions again",
            trigger: '.dropdown-item[data-menu-xmlid="omni_reconciliation.menu_omni_recon_exceptions"]',
            run: "click",
        },
        {
            content: "The fixed exception is no longer among the open ones",
            trigger: ".o_breadcrumb .active:contains('Reconciliation Exceptions')",
            extra_trigger: `.o_list_view:not(:has(${UNINVOICED_ROW}))`,
            isCheck: true,
        },
    ],
});
