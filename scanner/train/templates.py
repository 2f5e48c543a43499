"""Genre templates for ``scanner.train.generator``.

A template is either a string in the mini-language of ``scanner.train.template_lang`` (``{slot}``,
``[a|b]``, ``[?opt]``, ``[??rare]``, ``\\`` escapes) or a function ``(doc, ctx)`` for structured genres
(CSV, JSON, logs, configs, code). Slot suffix digits select a persona/value instance (``{name2}``); in
row/line loops ``#`` is replaced by the row number so every row gets its own person.

Every template belongs to exactly one split. Genres in ``HELDOUT_ONLY`` have no train template at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scanner.train.template_lang import compiled, render


@dataclass(frozen=True)
class Template:
    id: str
    genre: str
    split: str  # "train" | "heldout"
    body: str | Callable
    kind: str = "pii"  # "pii" | "neg" (negatives-only: hard negatives, no entities)
    weight: float = 1.0


TEMPLATES: list[Template] = []


def add(id: str, genre: str, split: str, body, kind: str = "pii", weight: float = 1.0) -> None:
    assert split in ("train", "heldout")
    TEMPLATES.append(Template(id, genre, split, body, kind, weight))


def _r(d, c, src: str) -> None:
    render(compiled(src), d, c)


# ==================================================================================================
# Shared fragments
# ==================================================================================================

GREET = "[Hi {first}|Hello {first}|Dear {tname}|Hey {first}|Good morning {first}|Dear {name}|Hi|Hello|Hi team|Dear Sir or Madam|{first}]"
SIGN2 = "[Best regards|Kind regards|Thanks|Cheers|Best|Regards|Many thanks|Sincerely|Thank you]"
SIGNOFF = ",\n" + "[{name2}|{first2}|{name2}\n{job2}|{name2}\n{org2}|{name2}\n{job2}, {org2}\n{phone2}|{first2}\n[?{wemail2}]]"
FILL = "[?{filler} ]"

GENRE_WEIGHTS = {
    "email": 3.0, "chat": 2.0, "support_ticket": 1.5, "hr_record": 1.2, "crm_record": 1.2, "clinical_note": 1.5,
    "referral_letter": 1.5, "contract": 1.0, "invoice": 1.2, "app_log": 1.5, "csv": 1.0, "json": 1.0,
    "env_config": 1.0, "ini_config": 0.6, "yaml_config": 1.2, "source_code": 1.0, "meeting_notes": 1.0,
    "news": 1.5, "receipt": 1.0, "table": 3.5,
}
GENRE_SEP = {
    "email": "\n\n[-----Original Message-----\n|On {sdate}, {name3} wrote:\n> |________________________________\nFrom: {name3}\n|\n\n--- forwarded message ---\n]",
    "chat": "\n",
    "app_log": "\n",
    "csv": "\n",
    "meeting_notes": "\n\n---\n\n",
    "news": "\n\n",
}

# ==================================================================================================
# TRAIN templates
# ==================================================================================================

# ---- email --------------------------------------------------------------------------------------
add("tr_email_support", "email", "train",
    "Subject: [Re: your order {po}|Payment issue|Update on your account|Card declined|Refund request]\n\n" + GREET + ",\n\n"
    "[Thanks for reaching out|Thank you for contacting us|Sorry for the trouble] [{reltime}|]. "
    "[I can see the charge on the card ending in {lastfour}.|The payment with your {brand} card {card} failed.|"
    "We refunded {price} to the card {card}.|Our records show the card {card} (exp {n}/{year}) was used.] "
    "[?Could you confirm the billing address {addrline}? ]" + FILL +
    "[?You can also reach me at {phone2}. ][?Your case number is {ticket}.]\n\n" + SIGN2 + SIGNOFF)
add("tr_email_intro", "email", "train",
    GREET + ",\n\n[I'm|My name is] {name2}[?, {job2}] at {org2}. [{name3} from {org3} suggested I reach out.|"
    "We met at the conference in {city}.|I found your profile at {url}.] "
    "[?I'll be in {city} {reltime} and would love to meet. ][Could we set up a call on {sdate}?|Are you free on {date}?] "
    + FILL + "[?My direct line is {phone2}. ]\n\n" + SIGN2 + SIGNOFF)
add("tr_email_reset", "email", "train",
    "[Hi {first}|Hello {user}|Dear customer],\n\n[A password reset was requested for your account {user}|"
    "We received a sign-in from a new device for {email}] from IP address {ip} {reltime}. "
    "[Your temporary password is {pw}.|If this was you, no action is needed.|Use the one-time password {pw} to log in.] "
    "[?If you did not request this, call us on {phone2}.]\n\n— The {org2} Security Team")
add("tr_email_hr", "email", "train",
    "From: {name2} <{wemail2}>\nTo: {name} <{email}>\nSubject: [Offer letter|Your onboarding|Payroll details|Benefits enrollment]\n\n"
    + GREET + ",\n\n[We are delighted to offer you the position of {job} at {org2}.|Welcome to {org2}!|"
    "Following up on payroll.] [Your start date is {date}.|Please report to {addrline} on {date}.] "
    "[?Please send your [SSN|National Insurance number|bank details] before {reltime}. ]"
    "[?We have your IBAN as {iban}. |We will deposit your salary to account {acct} (routing {routing}). ]"
    + FILL + "\n\n" + SIGN2 + SIGNOFF)
add("tr_chat_age", "chat", "train",
    "[{Kin} turns {age} [on {sdate}|{reltime}].|I turn {age} [next week|in May|{reltime}], so the form asks for a new "
    "photo.|[She|He] turned {age} {reltime}.|We both turn {age} this year.|{first} will be {age} on {sdate}.]"
    "[? {cws}]")
add("tr_email_personal", "email", "train",
    "[Hey|Hi|Dear] {first},\n\n[How are you?|Long time!|Hope you're well.] [{Kin} is doing better after the {proc}.|"
    "We finally moved to {addr}.|Mum turned {age} {reltime}!|I started a new job at {org}.] "
    "[?My new number is {mobile}. ][?Send me the photos at {email2}. ][?The party is on {sdate} at our place in {city}.]"
    "\n\n[Love|xx|Cheers|Talk soon],\n{first2}")
add("tr_email_bank", "email", "train",
    GREET + ",\n\n[Please find our bank details below for the invoice {inv}.|As requested, here are the wire details.]\n\n"
    "Account holder: {name2}\n[IBAN: {iban}\nBIC: {num}XX|Account number: {acct}\nRouting number: {routing}|"
    "Sort code: {sortcode}\nAccount no.: {acct}]\n[?Bank: {org3}\n]\nAmount: {price}\n\n"
    + FILL + SIGN2 + SIGNOFF)

# ---- chat ---------------------------------------------------------------------------------------
add("tr_chat_slack", "chat", "train",
    "\\[{ts}\\] {user}: [hey {handle2} can you check {ticket}?|did anyone see the {status}s on {host}?|"
    "who has the creds for the staging db?|is {first3} out {reltime}?]\n"
    "\\[{ts}\\] {user2}: [on it|looking now|yes, {first3} is in {city} until {sdate}|pw is {pw} but rotate it pls|"
    "the key is {apikey}, don't paste it anywhere|ping {handle3}]\n"
    "[?\\[{ts}\\] {user}: [thx|ok|great, thanks!|also {Kin} wants {qty}]\n][?\\[{ts}\\] {user3}: {filler}\n]")
add("tr_chat_support", "chat", "train",
    "Agent: [Hi, thanks for contacting {org}!|Welcome to {org} support.] How can I help?\n"
    "Customer: [hi my name is {name}|Hi, this is {name}|hello] [and I can't log in|, my order {po} never arrived|"
    ", I was charged twice]\n"
    "Agent: [Sorry to hear that.|I can help with that.] [Can you confirm your email?\nCustomer: [{email}|sure, {email}]|"
    "Could you give me your date of birth?\nCustomer: [{dob}|it's {dob}]|What's the phone number on the account?\n"
    "Customer: [{phone}|it's {phone}|{phone}, or {mobile} for texts]]\n"
    "[?Customer: [my card is {card}|I live at {addrline}|username is {user}]\n]"
    "Agent: [Thanks, {first}.|Got it.] [I've escalated this as {ticket}.|A refund of {price} will arrive in {dur}.]" )
add("tr_chat_sms", "chat", "train",
    "[{first}|Me|{name}]: [running late, be there in 10|can u pick up {kin} at 5?|the code for the door is {num}]\n"
    "[{first2}|{name2}]: [ok|np|sure thing][?, btw my new # is {mobile2}][? — I'm at {street2}]\n"
    "[?[{first}|Me]: [thx|👍|see you {reltime}]\n]")

# ---- support ticket -----------------------------------------------------------------------------
add("tr_ticket_it", "support_ticket", "train",
    "Ticket {ticket}\nPriority: [P1|P2|P3|High|Low]\nReporter: {name} ({wemail})\n[Assignee: {name2}\n]"
    "Summary: [VPN drops every few minutes|Cannot access shared drive|Laptop will not boot|MFA reset needed]\n\n"
    "[Since {reltime}|After the {ver} update], [my laptop|the VPN client] [fails|keeps failing] with error {status}. "
    "[My workstation IP is {ip}.|I'm connecting from {ip} at the {city} office.] [?My username is {user}. ]"
    + FILL + "[?Please call me on {phone}.]")
add("tr_ticket_customer", "support_ticket", "train",
    "#{num} - [Refund not received|Wrong item delivered|Account locked|Change of address]\n"
    "Customer: {name}\nEmail: {email}\n[Phone: {phone}\n][Address: {addrline}\n]"
    "Opened: {date}\n\n[Customer states|Customer reports|Caller said] [the {prod} arrived damaged|they were charged "
    "{price} twice|they moved to {addrline}]. [{Kin} placed the order under {po}.|Verified identity via DOB {dob}.|"
    "Verified last 4 of card ({lastfour}).] " + FILL + "\n\nStatus: [open|pending customer|resolved]")

# ---- HR record ----------------------------------------------------------------------------------
add("tr_hr_profile", "hr_record", "train",
    "EMPLOYEE RECORD\n\nName: [{name}|{lastfirst}]\nEmployee ID: {empid}\nDate of Birth: {dob}\n"
    "[SSN: {ssn}|National Insurance No: {nino}|Tax ID: {taxid}]\nNationality: {nat}\n[Religion: {rel}\n]"
    "Home address: [{addrml}|{addrline}]\nPersonal email: {email}\nMobile: {mobile}\nDepartment: {dept}\n"
    "Position: {job}\nStart date: {pdate}\n[Emergency contact: {name2} ({kin}), {phone2}\n]"
    "[Salary account: {iban}\n|Bank: {acct} / {routing}\n]" + "[?Notes: {filler}]")
add("tr_hr_narrative", "hr_record", "train",
    "[Performance review|Incident report|Leave request] - {name}\n\n[{tname}|{first}], [a|the] {age}-year-old {job} in "
    "{dept}, [joined {org} on {pdate}|has been with us since {pdate}]. [She|He|They] [requested {dur} of leave for "
    "{cond} treatment|was absent {reltime} due to {cond}|reported that {Kin} harassed [her|him|them]]. "
    "[?[She|He] identifies as {rel} and asked for accommodation on {sdate}. ]"
    "[Manager {name2} approved the request.|HR will follow up {reltime}.] " + FILL)
add("tr_hr_onboarding", "hr_record", "train",
    "New hire checklist for {name} ({empid})\n- Laptop shipped to {addrline}\n- Account: {user} (temp password {pw})\n"
    "- Badge photo received\n- I-9: passport {passport}[?, DL {dl}]\n- Direct deposit: acct {acct}, routing {routing}\n"
    "- Start date {date}, reports to {name2}\n- {filler}")

# ---- CRM record ---------------------------------------------------------------------------------
add("tr_crm_contact", "crm_record", "train",
    "Contact: {name}\nCompany: {org}\nTitle: {job}\nEmail: {wemail}\nPhone: {phone}\n[Mobile: {mobile}\n]"
    "[Address: {addrline}\n][LinkedIn: {url}\n]Account owner: {name2}\nStage: [Lead|Qualified|Proposal|Closed Won]\n"
    "Last activity: {date}\n\nNotes: [Met at the {city} expo.|Interested in the {plan} plan.|Budget approved for "
    "{reltime}.] [{Kin} is the decision maker.|Send the quote {po} by {sdate}.] " + FILL)
add("tr_crm_call", "crm_record", "train",
    "Call log {date} - {org}\nSpoke with [{tname}|{name}] ({phone}). [They|She|He] [asked to update the billing "
    "address to {addrline}|wants to pay by card {card}|requested an invoice to {wemail}]. Renewal {reltime}, "
    "[{qty}|{pct} discount] discussed. [?Follow-up assigned to {name2}. ]" + FILL)

# ---- date-times in forms, headers and sentences (a DATE; a log line's timestamp is not) ----------
add("tr_crm_datetime", "crm_record", "train",
    "[Submitted|Received|Signed|Visit time|Appointment|Checked in|Time of call]: {dtime}\n[Customer|Caller|Visitor|"
    "Applicant]: [{name}|{lastfirst}]\n[Tel|Mobile|Callback|Contact number]: {phone}\n[?Site: {city}\n]" + FILL)
add("tr_email_datetime", "email", "train",
    "[Sent|Date]: {dtime}\nFrom: {name} <{email}>\nTo: {name2}\nSubject: [Re: |Fwd: |][Your booking|The contract|"
    "Tomorrow|Access request]\n\n{filler} [Thanks|Best], {first}")
add("tr_crm_datetime_sentence", "crm_record", "train",
    "[At|On] {dtime}[,|] {name} [signed the lease for|checked in at|called about] [{org}|{addrline}]. "
    "[The [booking|form] was confirmed by {name2}.|{Kin} was present.] " + FILL)

# ---- clinical note ------------------------------------------------------------------------------
add("tr_clin_soap", "clinical_note", "train",
    "[PROGRESS NOTE|Clinic Note|SOAP NOTE]\nPatient: [{name}|{lastfirst}]   DOB: {dob}   MRN: {mrn}\n"
    "Date of visit: {date}\nProvider: {tname2}\n\nS: [{age}-year-old|{age} y/o|Pt is a {age}yo] [male|female|patient] "
    "[with a history of {cond}|with known {cond} and {cond2}] presents with {sym} for {dur}. "
    "[?Patient is {rel} and declines blood products. ][?Lives with {kin} in {city}. ]\n"
    "O: BP [118/76|132/84|145/92|110/70|126/81], HR [64|72|88|95|58]. [?Recent {proc} unremarkable.]\n"
    "A: [{cond3}|Likely {cond3}], [stable|improving|worsening].\n"
    "P: [Start|Continue|Increase] {drug} {dose} [daily|twice daily|at night]. [?Refer for {proc2}. ]"
    "Follow-up {reltime}[? or call {phone}].")
add("tr_clin_discharge", "clinical_note", "train",
    "DISCHARGE SUMMARY\n\n{tname2} — {org}\nPatient name: {name}\n[Age: {age}|Aged {age}]\n[NHS No: {nhs}|MRN {mrn}]\n"
    "Admitted: {date} Discharged: {date2}\n\nDiagnosis: {cond}\nProcedures: {proc}\nMedications on discharge: {drug}, "
    "{drug2}\n[Address: {addrline}\n][Next of kin: {name3}, {phone3}\n]\n" + FILL)
add("tr_clin_phone", "clinical_note", "train",
    "Telephone encounter {sdate}: [{Kin}|Patient] [{name}|{first}] called ({phone}) re: [refill of {drug}|side effects "
    "from {drug}|results of {proc}]. [Advised to take {dose} with food.|Explained the dose is {dose} not {dose}.] "
    "[?Pharmacy: {org}, {city}.] [?Patient is {age} and pregnant.]")

# ---- contract -----------------------------------------------------------------------------------
add("tr_contract_nda", "contract", "train",
    "[MUTUAL NON-DISCLOSURE AGREEMENT|NON-DISCLOSURE AGREEMENT|CONFIDENTIALITY AGREEMENT]\n\nThis Agreement is entered "
    "into as of {date} (the \"Effective Date\") by and between {org}, [a Delaware corporation|a company registered in "
    "{country}] with offices at {addrline} (\"Company\"), and {name}, residing at {addrline2} (\"Recipient\").\n\n"
    "1. Confidential Information. Recipient shall not disclose [any trade secrets|the Confidential Information] for "
    "[a period of|] {dur} [following termination|].\n2. Term. This Agreement remains in force for a 2-year term.\n\n"
    "Signed: ______________  {name}   Date: {date2}\nFor {org}: ______________  {tname2}[?, {job2}]")
add("tr_contract_employment", "contract", "train",
    "EMPLOYMENT AGREEMENT\n\nBetween {org} (the \"Employer\") and {name} (the \"Employee\"), born {dob}, "
    "[SSN|passport no.|tax ID] {idv}.\n\nPosition: {job}. Commencement: {date}. Salary: {price} per month, paid to "
    "[IBAN {iban}|account {acct}]. Probation: {dur}. Place of work: {city}.\n\n[The Employee declares no conflict of "
    "interest.|Governing law: the laws of {country}.]\n\n{name}    {tname2} for {org}")
add("tr_contract_lease", "contract", "train",
    "RESIDENTIAL LEASE\nLandlord: {name2}[, {phone2}]\nTenant(s): {name}[? and {name3}]\nPremises: {addr}\n"
    "Term: from {date} to {date2}\nRent: {price} payable on the 1st of each month to {iban}.\nDeposit: {price}\n"
    "[The tenant has {n} pets.|No smoking.] Guarantor: [{name4}|the tenant's {kin}].")

# ---- invoice ------------------------------------------------------------------------------------
add("tr_invoice", "invoice", "train",
    "[INVOICE|Invoice|TAX INVOICE] {inv}\nDate: {date}\nDue: [{date2}|[30|60|14] days net|on receipt]\n\nFrom: {org2}\n{addrml2}\n"
    "[VAT ID: DE{num}{num}\n]\nBill to: {name}\n[{org}\n]{addrml}\n[{email}\n]\n"
    "1x {prod} .... {price}\n{n}x {prod} ({sku}) .... {price}\nTotal: {price}\n\n"
    "[Pay by bank transfer to {iban}.|Paid with {brand} ending {lastfour}.|Please remit to account {acct}, routing {routing}.|"
    "Charged to card {card}.] Reference: {po}")
add("tr_invoice_short", "invoice", "train",
    "{org2} - order confirmation {po}\nThank you for your order, {first}!\nShipping to: {addrline}\n{n} items, {price}\n"
    "[Payment: {brand} {card}|Payment: PayPal ({email})|Payment: invoice]\n[Estimated delivery: {sdate}|Ships {reltime}]")

# ---- meeting notes ------------------------------------------------------------------------------
add("tr_meeting", "meeting_notes", "train",
    "[Meeting notes|Minutes|Weekly sync] — {date}\nAttendees: {name}, {name2}, {name3}[?, {name4}]\n\n"
    "- {first} [gave an update on|presented] [the {city} launch|Q3 numbers|the {org} deal]\n"
    "- {first2}: [{filler}|the client {name4} wants the contract signed by {sdate}]\n"
    "- [Action|AI]: {first3} to [send the deck to {wemail3}|call {org} on {phone3}|book travel to {city}] {reltime}\n"
    "[?- {filler}\n]- Next meeting {reltime}")
add("tr_meeting_board", "meeting_notes", "train",
    "Board memo — Strictly Confidential\n\nRe: proposed acquisition of {org2}\n\n[{tname}|{name}] presented the "
    "term sheet. Due diligence [is led by|will be run by] {org3} and [should close|closes] {reltime}. "
    "[Headquarters would move to {city}.|The target has offices in {loc} and {loc2}.] Valuation: {price}m. "
    "[?{name4} abstained.] " + FILL)

# ---- app log ------------------------------------------------------------------------------------
def _log_lines(d, c, fmt_choices, n_min=3, n_max=12):
    n = c.rng.randint(n_min, n_max) if not c.long else c.rng.randint(30, 60)
    for k in range(n):
        _r(d, c, c.rng.choice(fmt_choices).replace("#", str(10 + k % 7)))
        d.t("\n")


_LOG_TRAIN = [
    "{ts} {level} \\[{svc}\\] {method} {path} {status} {ms}ms client={fresh_ip}",
    "{ts} {level} \\[{svc}\\] login [succeeded|failed] for user={user#} from {fresh_ip}",
    "{ts} {level} \\[{svc}\\] user {email#} updated profile (request_id={uuid})",
    "{ts} {level} \\[{svc}\\] cache miss key=session:{sha} ttl={n}s",
    "{ts} WARN \\[{svc}\\] retrying connection to {host}:{port} (attempt {n})",
    "{ts} DEBUG \\[{svc}\\] deploy {ver} commit {sha}",
    "{ts} {level} \\[{svc}\\] password reset sent to {email#} (ticket {ticket})",
    "{ts} ERROR \\[{svc}\\] payment declined card={card#} amount={amount}",
]
add("tr_log_app", "app_log", "train", lambda d, c: _log_lines(d, c, _LOG_TRAIN))
add("tr_log_trace", "app_log", "train",
    "{ts} ERROR \\[{svc}\\] Unhandled exception while processing request {uuid}\nTraceback (most recent call last):\n"
    "  File \"/srv/app/{svc}/handlers.py\", line {num}, in handle\n    user = db.get_user(email=\"{email}\")\n"
    "  File \"/srv/app/{svc}/db.py\", line {num}, in get_user\n    conn = connect(host=\"{ip}\", password=\"{pw}\")\n"
    "ConnectionError: could not connect to {host}:{port} (timeout after {ms}ms)\n")
add("tr_log_auth", "app_log", "train",
    "{ts} sshd\\[{num}\\]: [Accepted|Failed] password for {user} from {ip} port {num} ssh2\n"
    "{ts} sshd\\[{num}\\]: pam_unix(sshd:session): session opened for user {user}\n"
    "[?{ts} sudo: {user} : TTY=pts/{n} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl restart {svc}\n]"
    "{ts} kernel: \\[UFW BLOCK\\] IN=eth0 SRC={ip2} DST={ip3} PROTO=TCP DPT={port}\n")


# ---- structured records (CSV / JSON / configs) ---------------------------------------------------
# A field: (keys, slot) where keys are alternatives for the column / key name.
PERSON_FIELDS = [
    (("name", "full_name", "customer_name"), "name#"), (("email", "email_address"), "email#"),
    (("phone", "phone_number", "tel"), "phone#"), (("dob", "date_of_birth", "birth_date"), "isodob#"),
    (("address", "street_address"), "addrline#"), (("city",), "city#"), (("ssn",), "ssn#"),
    (("username", "login"), "user#"), (("card_number", "cc"), "card#"), (("iban",), "iban#"),
    (("ip", "last_ip", "ip_address"), "ip#"), (("age",), "age#"), (("nationality",), "nat#"),
    (("diagnosis",), "cond#"), (("company", "employer"), "org#"), (("profile_url", "website"), "url#"),
]
NEG_FIELDS = [
    (("id", "customer_id", "row_id"), "num"), (("order_id",), "po"), (("created_at", "updated_at"), "ts"),
    (("plan", "tier"), "plan"), (("status",), "state"), (("amount", "balance"), "amount"), (("sku",), "sku"),
    (("uuid", "external_ref"), "uuid"), (("department",), "dept"), (("active", "verified"), "bool"),
]


def _pick_fields(c, pii: list, neg: list, kmin=3, kmax=7):
    fs = c.rng.sample(pii, c.rng.randint(kmin, min(kmax, len(pii)))) + c.rng.sample(neg, c.rng.randint(1, 3))
    c.rng.shuffle(fs)
    return [(c.rng.choice(keys), slot) for keys, slot in fs]


def _csv(d, c, pii=PERSON_FIELDS, neg=NEG_FIELDS, sep=","):
    fields = _pick_fields(c, pii, neg)
    d.t(sep.join(k for k, _ in fields) + "\n")
    rows = c.rng.randint(2, 8) if not c.long else c.rng.randint(25, 50)
    for r in range(rows):
        for j, (_, slot) in enumerate(fields):
            if j:
                d.t(sep)
            segs = c.slot(slot.replace("#", str(20 + r)))
            quote = sep == "," and any("," in s for s, _ in segs)
            d.t('"' if quote else "")
            d.extend(segs)
            d.t('"' if quote else "")
        d.t("\n")


def _json(d, c, pii=PERSON_FIELDS, neg=NEG_FIELDS, records=None):
    fields = _pick_fields(c, pii, neg)
    n = records or c.rng.randint(1, 3)
    ind = c.rng.choice(["", "  ", "    "])
    nl = "\n" if ind else " "
    d.t("[" + nl if n > 1 else "")
    for r in range(n):
        d.t("{" + nl)
        for j, (k, slot) in enumerate(fields):
            segs = c.slot(slot.replace("#", str(40 + r)))
            num = slot.startswith(("age", "num", "amount")) or (slot in ("bool",))
            d.t(f'{ind}{ind if n > 1 else ""}"{k}": ' + ("" if num else '"'))
            d.extend(segs)
            d.t(("" if num else '"') + ("," if j < len(fields) - 1 else "") + nl)
        d.t("}" + ("," if r < n - 1 else "") + (nl if n > 1 else ""))
    d.t("]" if n > 1 else "")


add("tr_csv_customers", "csv", "train", lambda d, c: _csv(d, c))
add("tr_csv_semicolon", "csv", "train", lambda d, c: _csv(d, c, sep=";"))
add("tr_json_users", "json", "train", lambda d, c: _json(d, c))
add("tr_json_api", "json", "train",
    "\\{\"event\": \"[user.created|user.updated|payment.succeeded]\", \"timestamp\": \"{ts}\", \"data\": \\{"
    "\"id\": \"{uuid}\", \"name\": \"{name}\", \"email\": \"{email}\", [\"ip\": \"{ip}\"|\"phone\": \"{phone}\"|"
    "\"card_last4\": \"{lastfour}\"|\"birthdate\": \"{isodob}\"]\\}\\}")

_SECRET_ENV = [
    ("AWS_ACCESS_KEY_ID", "awsid"), ("AWS_SECRET_ACCESS_KEY", "awssecret"), ("GITHUB_TOKEN", "ghtoken"),
    ("SLACK_BOT_TOKEN", "slacktoken"), ("STRIPE_SECRET_KEY", "stripekey"), ("JWT_SECRET", "hexkey"),
    ("GOOGLE_API_KEY", "googlekey"), ("SENDGRID_API_KEY", "sendgrid"), ("API_KEY", "apikey"),
    ("SESSION_TOKEN", "jwt"), ("DB_PASSWORD", "pw"), ("ADMIN_PASSWORD", "pw2"), ("SMTP_PASSWORD", "pw3"),
]
_PLAIN_ENV = [("NODE_ENV", "env"), ("PORT", "port"), ("LOG_LEVEL", "level"), ("APP_VERSION", "ver"),
              ("REDIS_HOST", "host"), ("WORKERS", "n"), ("DEBUG", "bool"), ("BUILD_SHA", "sha")]
_PII_ENV = [("ADMIN_EMAIL", "email"), ("DB_USER", "user"), ("DB_HOST", "ip"), ("SUPPORT_PHONE", "phone"),
            ("ALLOWED_IP", "ip2"), ("OWNER", "name")]


def _env(d, c, assign="=", quote_p=0.3, comment="#"):
    items = c.rng.sample(_SECRET_ENV, c.rng.randint(2, 5)) + c.rng.sample(_PLAIN_ENV, c.rng.randint(1, 4)) \
        + c.rng.sample(_PII_ENV, c.rng.randint(0, 3))
    c.rng.shuffle(items)
    if c.rng.random() < 0.5:
        d.t(f"{comment} [{c.rng.choice(['production', 'staging', 'local'])}] do not commit\n")
    for k, slot in items:
        q = '"' if c.rng.random() < quote_p else ""
        d.t(f"{k}{assign}{q}")
        d.extend(c.slot(slot))
        d.t(q + "\n")
    if c.rng.random() < 0.4:
        _r(d, c, "DATABASE_URL=postgres://{user}:{pw4}@{host}:5432/[app|prod|orders]\n")


add("tr_env_dotenv", "env_config", "train", lambda d, c: _env(d, c))
add("tr_env_export", "env_config", "train", lambda d, c: (d.t("#!/bin/sh\n"), _env(d, c, assign="=", quote_p=0.8),
                                                          d.t("export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY\n")))
add("tr_ini", "ini_config", "train",
    "\\[database\\]\nhost = {ip}\nport = {port}\nuser = {user}\npassword = {pw}\n\n\\[mail\\]\nsmtp_host = {host}\n"
    "admin = {email}\n[?api_key = {apikey}\n]\n\\[app\\]\nversion = {ver}\nworkers = {n}\n")

# ---- source code --------------------------------------------------------------------------------
add("tr_code_python", "source_code", "train",
    "import boto3\n\n# TODO({user}): move to vault before {reltime}\n[AWS_KEY = \"{awsid}\"\nAWS_SECRET = \"{awssecret}\"\n|"
    "client = boto3.client(\"s3\", aws_access_key_id=\"{awsid}\", aws_secret_access_key=\"{awssecret}\")\n]"
    "[DB_PASSWORD = \"{pw}\"\n|password = \"{pw}\"\n|]"
    "\ndef notify(msg):\n    # contact: {email}\n    requests.post(\"https://hooks.slack.com/services/T{num}/B{num}\", "
    "headers=\\{\"Authorization\": \"Bearer {slacktoken}\"\\})\n")
add("tr_code_js", "source_code", "train",
    "// config.js — owner {name}\nconst stripe = require('stripe')('{stripekey}');\n[const GITHUB_TOKEN = '{ghtoken}';\n|]"
    "const db = \\{ host: '{ip}', port: {port}, user: '{user}', password: '{pw}' \\};\nmodule.exports = \\{ stripe, db \\};\n")
add("tr_code_pem", "source_code", "train",
    "# deploy key for {host} (added by {user} {reltime})\ncat > ~/.ssh/id_rsa <<'EOF'\n{pem}\nEOF\nchmod 600 ~/.ssh/id_rsa\n"
    "ssh -i ~/.ssh/id_rsa {user}@{ip} 'sudo systemctl restart {svc}'\n")

# ---- tables (TSV / CSV / pipe, long, header only once or none) -------------------------------------
def _F():
    from scanner.train import fakes as F
    return F


def _tbl_id(c, kind):
    F, r = _F(), c.rng
    d = lambda n: F._digits(r, n)  # noqa: E731
    if kind == "mrn":
        v = r.choice(["MR" + d(7), "MRN" + d(6), d(7), d(8), "P" + d(6), f"{d(3)}-{d(2)}-{d(3)}", F.mrn(r)])
        return v.lower() if r.random() < 0.25 else v
    if kind == "natid":
        return r.choice([F.dni(r), r.choice(["OR", "XR", "PB", "ZK"]) + d(6) + r.choice("ABCD"), F.uk_nino(r),
                         F.cpf(r), F.nhs_number(r), F.sin_ca(r), f"{d(3)}-{d(2)}-{d(3)}", F.national_id(r)[1],
                         r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + d(7), d(10)])
    if kind == "emp":
        return r.choice([F.employee_id(r), "E" + d(5), d(5), f"EMP{d(4)}", f"{r.choice('ABCDEFGHK')}{d(4)}"])
    if kind == "passport":
        return r.choice([F.passport(r), r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + d(7), d(9)])
    return F.ssn(r)


def _tname(c, i):
    p, r = c.p(i), c.rng
    st = c.val("tname_style", lambda: r.choice(["full", "full", "lf", "LF", "lower", "lowerlf", "upper"]))
    if st == "lf":
        return f"{p.last}, {p.first}"
    if st == "LF":
        return f"{p.last.upper()}, {p.first}"
    if st == "lower":
        return p.full.lower()
    if st == "lowerlf":
        return f"{p.last}, {p.first}".lower()
    if st == "upper":
        return p.full.upper()
    return p.full


def _v(c, i, fn, label):
    return [(fn(), label)]


# (header alternatives, value producer (c, i) -> segs, quote-sensitive)
_TBL_COLS = {
    "name": (("name", "Name", "NAME", "full_name", "patient", "patient_name", "employee", "customer", "Member Name",
              "holder"), lambda c, i: [(_tname(c, i), "PERSON")]),
    "dob": (("dob", "DOB", "date_of_birth", "birth_date", "Birthdate", "born"),
            lambda c, i: [(c.val("dobfmt", lambda: c.rng.choice(["iso", "iso", "us", "eu", "any"])) == "iso" and c.p(i).dob.isoformat()
                           or _fmt_dob(c, i), "DATE")]),
    "age": (("age", "Age", "AGE", "patient_age", "yrs", "age_years", "Age (y)", "age_at_visit"),
            lambda c, i: [(str(c.p(i).age), "AGE")]),
    "mrn": (("mrn", "MRN", "medical_record_no", "record_id", "patient_id", "chart_no", "Hospital No."),
            lambda c, i: [(_tbl_id(c, "mrn"), "ID_NUMBER")]),
    "natid": (("national_id", "nat_id", "id_number", "ID No", "tax_id", "ni_number", "cpf", "document_no", "govt_id"),
              lambda c, i: [(_tbl_id(c, "natid"), "ID_NUMBER")]),
    "ssn": (("ssn", "SSN", "social_security", "ssn_no"), lambda c, i: [(_tbl_id(c, "ssn"), "ID_NUMBER")]),
    "passport": (("passport", "passport_no", "Passport #", "travel_doc"), lambda c, i: [(_tbl_id(c, "passport"), "ID_NUMBER")]),
    "emp": (("employee_no", "emp_id", "Employee #", "staff_id", "badge", "payroll_no"),
            lambda c, i: [(_tbl_id(c, "emp"), "ID_NUMBER")]),
    "med": (("medication", "drug", "Rx", "current_meds", "condition", "diagnosis", "dx", "primary_condition"),
            lambda c, i: [(_F().medical(c.rng, c.val("medk", lambda: c.rng.choice(["m", "c", None]))), "MEDICAL")]),
    "phone": (("phone", "Phone", "tel", "mobile", "contact_no"), lambda c, i: [(_F().phone(c.rng), "PHONE")]),
    "email": (("email", "Email", "e-mail", "email_addr"), lambda c, i: [(c.p(i).email(), "EMAIL")]),
    "bank": (("iban", "IBAN", "account", "acct_no", "bank_account", "payout_account"),
             lambda c, i: [(c.val("bk", lambda: c.rng.random()) < 0.5 and _F().iban(c.rng, grouped=False) or _F().account_number(c.rng), "BANK_ACCOUNT")]),
    "card": (("card", "card_number", "cc_num", "pan"), lambda c, i: [(_F().card(c.rng)[1].replace(" ", "").replace("-", ""), "CREDIT_CARD")]),
    "user": (("username", "user", "login", "handle", "uid"), lambda c, i: [(c.p(i).username, "USERNAME")]),
    "city": (("city", "City", "town"), lambda c, i: [(c.rng.choice(_F().CITIES), "LOCATION")]),
    # negatives
    "salary": (("salary", "Salary", "annual_salary", "pay"), lambda c, i: [(str(c.rng.randint(18, 240) * 1000), None)]),
    "dept": (("department", "dept", "Dept", "ward", "unit"), lambda c, i: [(c.rng.choice(["Engineering", "Finance", "Sales", "Cardiology", "ICU", "Legal", "IT", "Ops", "oncology", "HR"]), None)]),
    "sku": (("sku", "order_id", "SKU", "item", "order_no", "invoice"),
            lambda c, i: [(c.rng.choice([_F().sku, _F().order_no, _F().invoice_no])(c.rng), None)]),
    "ts": (("created_at", "timestamp", "updated", "last_seen", "admitted_at"), lambda c, i: [(_ts(c), None)]),
    "bool": (("active", "readmitted", "is_deceased", "verified", "consent", "smoker"),
             lambda c, i: [(c.rng.choice(["true", "false", "TRUE", "FALSE", "yes", "no", "Y", "N", "0", "1"]), None)]),
    "qty": (("qty", "count", "visits", "score", "los_days", "rating"), lambda c, i: [(str(c.rng.randint(0, 400)), None)]),
    "amount": (("amount", "balance", "total", "copay"), lambda c, i: [(f"{c.rng.randint(1, 9999)}.{c.rng.randint(0, 99):02d}", None)]),
    "rowid": (("id", "row", "#", "rec"), lambda c, i: [(str(int(i) - 100), None)]),
}


def _fmt_dob(c, i):
    dob = c.p(i).dob
    st = c.val("dobfmt", lambda: "us")
    if st == "us":
        return f"{dob.month:02d}/{dob.day:02d}/{dob.year}"
    if st == "eu":
        return f"{dob.day:02d}.{dob.month:02d}.{dob.year}"
    return _F().fmt_date(dob, c.rng)


def _ts(c):
    r = c.rng
    st = c.val("tsfmt", lambda: r.randint(0, 2))
    y, mo, dd, h, mi, s = r.randint(2019, 2026), r.randint(1, 12), r.randint(1, 28), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
    if st == 0:
        return f"{y}-{mo:02d}-{dd:02d} {h:02d}:{mi:02d}:{s:02d}"
    if st == 1:
        return f"{y}-{mo:02d}-{dd:02d}T{h:02d}:{mi:02d}:{s:02d}Z"
    return str(r.randint(1_550_000_000, 1_790_000_000))


_TBL_PII = ["name", "dob", "age", "mrn", "natid", "ssn", "passport", "emp", "med", "phone", "email", "bank", "card",
            "user", "city"]
_TBL_NEG = ["salary", "dept", "sku", "ts", "bool", "qty", "amount", "rowid"]


def _table(d, c, header_p=0.8):
    r = c.rng
    cols = r.sample(_TBL_PII, r.randint(3, 7))
    if "age" not in cols and r.random() < 0.5:
        cols.append("age")
    if not any(k in cols for k in ("mrn", "natid", "ssn", "passport", "emp")) and r.random() < 0.6:
        cols.append(r.choice(["mrn", "natid", "ssn", "passport", "emp"]))
    cols += r.sample(_TBL_NEG, r.randint(1, 4))
    r.shuffle(cols)
    if "rowid" in cols and r.random() < 0.7:
        cols.remove("rowid")
        cols.insert(0, "rowid")
    sep = r.choice(["\t", "\t", ",", ",", "|", " | ", ";"])
    case = r.choice(["", "", "", "lower", "upper"])
    lower_vals = r.random() < 0.15
    if r.random() < header_p:
        hs = [r.choice(_TBL_COLS[k][0]) for k in cols]
        hs = [h.lower() if case == "lower" else h.upper() if case == "upper" else h for h in hs]
        d.t(("| " if sep == " | " and r.random() < 0.5 else "") + sep.join(hs) + "\n")
        if sep == " | " and r.random() < 0.5:
            d.t(sep.join("---" for _ in hs) + "\n")
    rows = r.randint(10, 60)
    for k in range(rows):
        i = str(100 + k)
        for j, key in enumerate(cols):
            if j:
                d.t(sep)
            segs = _TBL_COLS[key][1](c, i)
            if lower_vals:
                segs = [(s.lower() if lab not in ("PASSWORD", "SECRET") else s, lab) for s, lab in segs]
            quote = sep == "," and any("," in s for s, _ in segs) or (sep == "," and r.random() < 0.05)
            d.t('"' if quote else "")
            d.extend(segs)
            d.t('"' if quote else "")
        d.t("\n")


add("tr_table_header", "table", "train", lambda d, c: _table(d, c, header_p=1.0), weight=3.0)
add("tr_table_any", "table", "train", lambda d, c: _table(d, c, header_p=0.5), weight=2.0)
add("tr_table_dump", "table", "train", lambda d, c: (_r(d, c, "[-- export {year}\n|# dump of [patients|staff|members|users]\n|]"),
                                                    _table(d, c, header_p=0.0)), weight=1.5)
add("tr_table_in_email", "table", "train", lambda d, c: (_r(d, c, GREET + ",\n\n[Here is the extract you asked for:|"
                                                            "Attached rows below (do not forward):|See the list:]\n\n"),
                                                        _table(d, c, header_p=0.8), _r(d, c, "\n" + SIGN2 + SIGNOFF)))


# ---- usernames / access logs ------------------------------------------------------------------------
def _clf_ts(c):
    r = c.rng
    mon = r.choice(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
    return (f"{r.randint(1, 28):02d}/{mon}/{r.randint(2019, 2026)}:{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:"
            f"{r.randint(0, 59):02d} {r.choice(['+0000', '+0000', '-0700', '+0100', '+0530'])}")


def _access_log(d, c):
    r = c.rng
    n = r.randint(4, 25) if not c.long else r.randint(30, 60)
    F = _F()
    for k in range(n):
        ip = F.ipv6(r) if r.random() < 0.3 else F.ipv4(r)
        d.e("IP_ADDRESS", ip)
        d.t(" - ")
        if r.random() < 0.65:
            d.e("USERNAME", c.p(str(60 + k % 5)).username)
        else:
            d.t("-")
        path = r.choice(["/", "/login", "/account/settings", "/api/v1/orders", "/static/site.css", "/dashboard",
                         "/wp-admin/", "/logout", "/cart?item=" + str(r.randint(1, 999))])
        d.t(f" [{_clf_ts(c)}] \"{r.choice(['GET', 'GET', 'POST', 'HEAD'])} {path} {r.choice(['HTTP/1.1', 'HTTP/2.0'])}\" "
            f"{r.choice(['200', '200', '302', '401', '404', '500'])} {r.randint(0, 90000)}")
        if r.random() < 0.5:
            d.t(f" \"{r.choice(['-', 'https://example.org/', '-'])}\" \"{r.choice(['curl/8.4.0', 'Mozilla/5.0 (X11; Linux x86_64)', 'python-requests/2.31'])}\"")
        d.t("\n")


add("tr_log_access", "app_log", "train", _access_log, weight=1.5)
add("tr_user_cues", "support_ticket", "train",
    "[Issue|Case|Report] {ticket}\n[Submitted by|Reporter|Opened by|Raised by]: {user}\n[Customer: {name}\n|]"
    "[Account: {user2}|Affected login: {user2}|user: {user2}|login: {user2}]\n\n[I can't|Cannot|Unable to] "
    "[log in as|sign in as|switch to] {user2} [since {reltime}|after the reset|from {ip}]. [?My handle on the forum is {user3}. ]"
    "[?They also take {drug} — irrelevant, ignore. ]" + FILL, weight=2.0)
add("tr_user_loyalty", "email", "train",
    "[Your booking|Reservation|Membership update] {po}\n\nGuest: [{name}|{lastfirst}]\n[Loyalty member|Member login|"
    "Rewards account|Frequent flyer no.|Account]: {user}\n[Date of birth: {dob}\n][Contact: {phone}\n]\n"
    "[Sign in as {user} to manage your booking.|Your username {user} is linked to {email}.|{filler}]")
add("tr_user_chat", "chat", "train",
    "\\[{ts}\\] {user}: [can someone reset the account for {user2}?|{user2} keeps getting locked out|"
    "pls add {user2} to the on-call group]\n\\[{ts}\\] {user3}: [done, user: {user2}|ok, login {user2} unlocked|"
    "which one, {user2} or {user4}?|handle is {handle2}]\n[?\\[{ts}\\] {user}: {filler}\n]")
add("tr_json_camel", "json", "train", lambda d, c: _json(d, c, pii=[
    (("userName", "loginName", "user_name"), "user#"), (("fullName", "customerName"), "name#"),
    (("lastSeenIp", "clientIp", "remoteAddr"), "ip#"), (("phoneNumber", "contactPhone"), "phone#"),
    (("dateOfBirth", "dobIso"), "isodob#"), (("emailAddress", "primaryEmail"), "email#"),
    (("currentMedication", "primaryDiagnosis"), "cond#"), (("ageYears", "patientAge"), "age#")],
    neg=NEG_FIELDS + [(("authProvider", "sessionState", "retryCount"), "state"), (("createdAtMs", "lastLoginTs"), "ts")]))

# ---- addresses after parties, international forms, Last, First records -------------------------------
def _intl_addr(c, i):
    F, r = _F(), c.rng
    loc = r.choice(["fr_FR", "en_IN", "es_ES", "en_US", "en_GB", "it_IT", "de_DE", "pt_BR", "nl_NL", "mil"])
    if loc == "mil":
        f = F._fk("en_US", r)
        a = r.choice([f.military_ship() + " " + f.last_name() + ", FPO " + r.choice(["AP", "AE", "AA"]) + " " + f.postcode(),
                      f"Unit {r.randint(1000, 9999)} Box {r.randint(1, 9999)}, DPO {r.choice(['AP', 'AE', 'AA'])} {f.postcode()}",
                      f"PSC {r.randint(1000, 9999)}, Box {r.randint(1, 9999)}, APO {r.choice(['AP', 'AE', 'AA'])} {f.postcode()}"])
    else:
        a = F._clean_addr(F._fk(loc, r).address())
        if r.random() < 0.3:
            a += "\n" + F._ADDR_COUNTRY[loc]
    if r.random() < 0.55:
        a = a.replace("\n", ", ")
    return a


def _party_contract(d, c):
    r = c.rng
    roles = [("Discloser", "Recipient"), ("Supplier", "Customer"), ("Licensor", "Licensee"), ("Seller", "Buyer"),
             ("Disclosing Party", "Receiving Party"), ("Lender", "Borrower"), ("Consultant", "Client")]
    a, b = r.choice(roles)
    d.t(r.choice(["THIS AGREEMENT is made on ", "Agreement dated ", "Entered into on "]))
    _r(d, c, "{date} between {org}")
    d.t(r.choice([f' ("{a}"), ', f' (the "{a}"), ', f', ("{a}") ', f' ("{a}"), having its registered office at ']))
    d.e("STREET_ADDRESS", _intl_addr(c, "1"))
    _r(d, c, ", and [{org2}|{name2}]")
    d.t(r.choice([f' ("{b}"), ', f' (the "{b}"), of ', f' ("{b}"), located at ']))
    d.e("STREET_ADDRESS", _intl_addr(c, "2"))
    _r(d, c, ". [?Notices shall be sent to {tname3} at {wemail3}. ]The {dur} term begins on the Effective Date.\n")


add("tr_contract_parties", "contract", "train", _party_contract, weight=2.0)
add("tr_letterhead", "crm_record", "train", lambda d, c: (
    _r(d, c, "[{org}|{name}\n{org}|Attn: {tname}\n{org}]\n"), d.e("STREET_ADDRESS", _intl_addr(c, "1").replace(", ", "\n", c.rng.randint(0, 3))),
    _r(d, c, "\n[Tel {phone}\n|][{wemail}\n|]\n[Re: account {acct}|Customer since {pdate}|Ref {po}]\n"
             "[Ship to|Deliver to|Mailing address]: "), d.e("STREET_ADDRESS", _intl_addr(c, "2")), d.t("\n")), weight=1.5)
add("tr_clin_header", "clinical_note", "train",
    "[Pt|Name|Patient Name|Resident]: {lastfirst}[  |\t|   ][Gender|Sex]: [F|M|female|male][  |\t|   ]"
    "[DOB: {dob}|Age: {age}|{age} yrs|Age {age}y]\n[MRN|Hosp#|Chart] {mrn}   [Ward {n}|Bed {n}|Room {num}]\n"
    "[Attending|Consultant|Seen by]: [{lastfirst2}|{tname2}]\n[Dx|Problem]: {cond}; [meds|Rx]: {drug} {dose}\n" + FILL)

# ---- negatives-only (train) ---------------------------------------------------------------------
add("tr_neg_release", "email", "train",
    "[Release notes|Changelog] {ver}\n\n- Fixed {status} errors when uploading more than {qty}\n- Build {sha}\n"
    "- {cws}\n- Bumped dependency to {ver}\n- Ticket {ticket} closed\n[?- {filler}\n]", kind="neg")
add("tr_neg_team", "email", "train",
    "[Hi team|Hello all|Hi everyone],\n\n{filler} {filler} [?{cws} ]{Kin} [asked|wants] us to finish {reltime}. "
    "[?Invoice {inv} is still open. ]\n\n[Thanks|Cheers|Best]", kind="neg")
add("tr_neg_log", "app_log", "train", lambda d, c: _log_lines(d, c, [
    "{ts} {level} \\[{svc}\\] {method} {path} {status} {ms}ms", "{ts} DEBUG \\[{svc}\\] deploy {ver} commit {sha}",
    "{ts} INFO \\[{svc}\\] processed {num} events in {ms}ms (batch {uuid})", "{ts} WARN \\[{svc}\\] queue depth {num} on {host}:{port}"]),
    kind="neg")
add("tr_neg_chat", "chat", "train",
    "\\[{ts}\\] dev1: {filler}\n\\[{ts}\\] dev2: [ok|lgtm|+1|will do {reltime}]\n[?\\[{ts}\\] dev1: {cws}\n]", kind="neg")
add("tr_neg_clinical", "clinical_note", "train",
    "[Nursing handover|Ward note]: the patient [slept well|was reviewed by the doctor] {reltime}. Dose {dose} given. "
    "{Kin} visited. [Vitals stable.|Obs every 4 hours.] {filler}", kind="neg")
add("tr_neg_invoice", "invoice", "train",
    "Order {po}\n{n}x {prod} ({sku}) {price}\nShipping: {price}\nTotal: {price}\nStatus: [shipped|paid|pending]\n{cws}", kind="neg")

# ==================================================================================================
# HELDOUT templates (never used for train). Heldout-only genres: referral_letter, yaml_config, news,
# receipt; the rest are unseen variants of shared genres.
# ==================================================================================================

add("ho_email_thread", "email", "heldout",
    "On {sdate}, {name2} <{email2}> wrote:\n> [Can you send me the signed form?|Please update my details.]\n\n"
    "[Sure|Of course], here you go. [My new address is {addrline}.|My date of birth is {dob} and my passport number "
    "is {passport}.|You can wire the deposit to {iban}.] [?Call me on {phone} if anything is missing.] " + FILL +
    "\n\n{first}\n[?Sent from my iPhone]")
add("ho_email_privileged", "email", "heldout",
    "PRIVILEGED & CONFIDENTIAL - ATTORNEY-CLIENT COMMUNICATION\n\nFrom: {tname2} <{wemail2}>\nTo: {name} <{wemail}>\n"
    "Subject: [Litigation hold|Settlement terms|Employee complaint]\n\n{first},\n\n[Regarding the claim by {name3} "
    "({age}) of {city}|Following our call about {org3}], [we recommend settling for {price}|please preserve all "
    "records from {date}]. [?{name3}'s counsel can be reached at {phone3}. ]" + FILL + "\n\n{first2}\n{org2}")
add("ho_email_travel", "email", "heldout",
    "Booking confirmation {po}\n\nPassenger: {lastfirst}\nPassport: {passport}\nDate of birth: {dob}\n"
    "Flight from {city} to {city2} on {date}\nFrequent flyer: {user}\nPaid with {brand} {card}\n"
    "[Contact phone: {phone}|Emergency contact: {name2}, {phone2}]\n" + FILL)
add("ho_chat_whatsapp", "chat", "heldout",
    "[{sdate}, {n}:{n} - |]{first}: [hi, its {first}, new number|did u get my email at {email}?|the wifi pw is {pw}]\n"
    "[{sdate}, {n}:{n} - |]{first2}: [saved 👍|yes thx|who is this?][? — I'm at {addrline2} now]\n"
    "[?{first}: btw my bank is {iban} for the {price}\n][?{first2}: {cws}\n]")
add("ho_chat_teams", "chat", "heldout",
    "{name} {ts}\n[@{first2} can you whitelist {ip} for me?|Sharing my screen, link: {url}|"
    "who gave {handle3} admin on {host}?]\n\n{name2} {ts}\n[done|sure|{filler}]")
add("ho_ticket_bug", "support_ticket", "heldout",
    "Bug report {ticket}\nEnvironment: {env}, build {ver}\nReported by: {user} ({email})\n\nSteps: log in as {user} "
    "from {ip}, open [billing|profile] page.\nExpected: {status}. Actual: 500 and the page shows "
    "[card number {card}|SSN {ssn}|phone {phone}] of another customer ([{name2}|{email2}]).\n" + FILL)
add("ho_hr_exit", "hr_record", "heldout",
    "Exit interview — {name}\nDate: {date}\nEmployee no. {empid}\n\n{first} ({age}) is leaving {dept} after {dur} to "
    "join {org2} in {city}. [Cited {cond} as a factor.|No issues raised.] Final pay to {iban}. Forwarding address: "
    "{addrline}. Personal email {email}.")
add("ho_crm_lead_kv", "crm_record", "heldout",
    "lead_owner: {name2} | lead: {name} | company: {org} | phone: {phone} | email: {wemail} | source: [webinar|referral|"
    "website] | created: {date} | score: {n} | notes: [{filler}|asked about pricing for {qty}]")
add("ho_clin_lab", "clinical_note", "heldout",
    "LAB RESULT — {org}\nPatient: {lastfirst}  Sex: [F|M]  Age: {age}  MRN: {mrn}\nCollected: {date}\n"
    "Test: {proc}\nResult: [positive for {cond}|within normal limits|elevated, consistent with {cond}]\n"
    "Ordering physician: {tname2}\n[Current meds: {drug}, {dose}]\n")
add("ho_contract_nda_short", "contract", "heldout",
    "CONFIDENTIAL - SUBJECT TO NDA\n\nThis Confidentiality Agreement dated {date} is between {org} (\"Discloser\"), "
    "{addrline}, and {org2} (\"Recipient\"), represented by {tname3}. Recipient will protect the information for "
    "{dur} and return it within 30 days of a request. Notices to {wemail3}.")
add("ho_invoice_utility", "invoice", "heldout",
    "{org2}\nAccount holder: {name}\nService address: {addr}\nAccount no. {acct}\nStatement date {date}\n\n"
    "Usage: {qty}\nAmount due: {price} by {date2}\nDirect debit from {iban}\n" + FILL)
add("ho_log_nginx", "app_log", "heldout", lambda d, c: _log_lines(d, c, [
    "{fresh_ip} - - \\[{ts}\\] \"{method} {path} HTTP/1.1\" {status} {num} \"-\" \"Mozilla/5.0\"",
    "{fresh_ip} - {user#} \\[{ts}\\] \"POST /login HTTP/1.1\" {status} {n}",
    "{ts} \\[error\\] {num}#0: *{num} upstream timed out, client: {fresh_ip}, server: {host}",
    "{ts} audit user={email#} action=[export|delete|view] record={uuid}",
]))
add("ho_csv_patients", "csv", "heldout", lambda d, c: _csv(d, c, pii=[
    (("patient", "patient_name"), "name#"), (("mrn",), "mrn#"), (("dob",), "dob#"), (("condition",), "cond#"),
    (("medication",), "drug#"), (("phone",), "phone#"), (("insurance_id",), "idv#"), (("age",), "age#")], sep=c.rng.choice([",", "\t", "|"])))
add("ho_json_profile", "json", "heldout", lambda d, c: _json(d, c, pii=[
    (("displayName",), "name#"), (("handle",), "handle#"), (("homepage",), "url#"), (("lastLoginIp",), "ip#"),
    (("mobile",), "mobile#"), (("birthday",), "isodob#"), (("religion",), "rel#"), (("employer",), "org#")]))
add("ho_env_docker", "env_config", "heldout",
    "services:\n  api:\n    image: registry.local/api:{ver}\n    environment:\n      - POSTGRES_PASSWORD={pw}\n"
    "      - STRIPE_KEY={stripekey}\n      - ADMIN_EMAIL={email}\n    ports:\n      - \"{port}:{port}\"\n")
add("ho_code_go", "source_code", "heldout",
    "package main\n\n// Author: {name} <{email}>\nconst (\n\tghToken = \"{ghtoken}\"\n\tdbDSN   = \"{user}:{pw}@tcp({ip}:3306)/app\"\n)\n\n"
    "func main() \\{\n\tclient := NewClient(\"{googlekey}\")\n\tclient.Run()\n\\}\n")
add("ho_meeting_1on1", "meeting_notes", "heldout",
    "1:1 {first} / {first2} — {sdate}\n* {first} back from leave ({cond}); [phased return|part-time] {reltime}\n"
    "* Visa: {nat} passport {passport} renewal pending\n* {filler}\n* Next: {reltime}")

# ---- heldout-only genres ------------------------------------------------------------------------
add("ho_referral", "referral_letter", "heldout",
    "{org}\n{addrml2}\n\n{date}\n\nDear [Dr.|Doctor] {last3},\n\nRe: {name}, DOB {dob}[, NHS {nhs}|, MRN {mrn}]\n"
    "{addrline}\n\nThank you for seeing this {age}-year-old [{nrp}|] [man|woman|patient] with [{cond}|{sym} and "
    "suspected {cond}]. [She|He] [currently takes|has been on] {drug} {dose} [and {drug2}|]. [?A recent {proc} showed "
    "no abnormality. ][?[She|He] lives with {kin} and can be reached on {phone}. ]I would be grateful for your "
    "assessment [and consideration of {proc2}|].\n\nYours sincerely,\n\n{tname2}\n[General Practitioner|Consultant]")
add("ho_referral_short", "referral_letter", "heldout",
    "URGENT REFERRAL\nTo: {org} — [Cardiology|Oncology|Psychiatry|Neurology]\nPatient: {lastfirst} ({age} y/o)\n"
    "Phone: {phone}\nReason: {sym}, history of {cond}\nMeds: {drug}\nReferred by {tname2} on {date}")
add("ho_yaml_app", "yaml_config", "heldout",
    "# config/{env}.yaml\napp:\n  name: {svc}\n  version: {ver}\ndatabase:\n  host: {ip}\n  port: {port}\n"
    "  username: {user}\n  password: \"{pw}\"\naws:\n  access_key_id: {awsid}\n  secret_access_key: {awssecret}\n"
    "[notifications:\n  slack_token: {slacktoken}\n  owner: {email}\n|]")
add("ho_yaml_k8s", "yaml_config", "heldout",
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {svc}-credentials\n  annotations:\n    owner: {email}\n"
    "type: Opaque\nstringData:\n  [API_TOKEN|GITHUB_TOKEN]: {ghtoken}\n  JWT: {jwt}\n  ADMIN_PASSWORD: '{pw}'\n"
    "[  allowed_cidr: {ip}/32\n|]")
add("ho_yaml_ci", "yaml_config", "heldout",
    "# .gitlab-ci.yml (maintainer: {handle})\nvariables:\n  SENDGRID_API_KEY: \"{sendgrid}\"\n  DEPLOY_HOST: {ip}\n"
    "  DEPLOY_USER: {user}\ndeploy:\n  script:\n    - ssh {user}@{ip} ./deploy.sh {ver}\n")
add("ho_news", "news", "heldout",
    "[{city}|{loc}] — {realorg} [said on {sdate}|announced {reltime}] that [its chief executive|chair] {name} will "
    "[step down|join {org}] [after {dur}|at the end of the year]. [{last}, {age}, [has led|led] the company since "
    "{year}.|The {age}-year-old {nat} executive was born in {city2}.] [Shares in {org2} rose {pct}.|{realorg2} "
    "declined to comment.] [?The {pol} senator {name2} called the move \"overdue\". ]" + FILL)
add("ho_news_local", "news", "heldout",
    "[Local|Community] news: {name}, {age}, of {city} [won the {org} award|opened a bakery on {street}|was honoured by "
    "{org}]. [{first}, a [{nrp}|local] [teacher|nurse|veteran], [said|told reporters] the {kin} inspired "
    "[her|him].|Friends describe {first} as generous.] [?The ceremony took place on {date}. ]")
add("ho_news_press", "news", "heldout",
    "FOR IMMEDIATE RELEASE\n\n{org} [Acquires|Partners with] {org2}\n\n{city}, {sdate} — {org} today [announced|"
    "confirmed] [the acquisition of|a partnership with] {org2}[?, a {loc}-based provider of {prod}s]. "
    "\"[We are thrilled|This is a milestone],\" said {name}, [CEO|CFO|founder] of {org}. Media contact: {name2}, "
    "{wemail2}, {phone2}.")
add("ho_receipt", "receipt", "heldout",
    "{org}\n{addrline2}\nTel {phone2}\n\nReceipt {inv}   {sdate} {n}:{n}\n{n}x {prod} {price}\n{n}x {prod} {price}\n"
    "TOTAL {price}\n[{brand} ************{lastfour}|CARD {card}|CASH]\n[Member: {name}|Cashier: {first3}]\n"
    "Thank you for shopping with us!")
add("ho_receipt_ride", "receipt", "heldout",
    "Thanks for riding, {first}!\nTrip on {date}\nPickup: {addrline}\nDrop-off: {addrline2}\nTotal: {price}\n"
    "Charged to {card}\nDriver: {first2}")

# ---- heldout negatives-only ---------------------------------------------------------------------
add("ho_neg_news", "news", "heldout",
    "Markets [rose|fell] {pct} {reltime} as investors [weighed|digested] [inflation data|earnings]. {cws} "
    "[Analysts expect|Traders see] [a rate cut in Q3|further volatility]. {filler}", kind="neg")
add("ho_neg_yaml", "yaml_config", "heldout",
    "replicas: {n}\nimage: app:{ver}\nresources:\n  limits:\n    cpu: \"{n}\"\n    memory: {n}Gi\nports:\n  - {port}\n"
    "checksum: {sha}\n", kind="neg")
add("ho_neg_email", "email", "heldout",
    "[Quick update|FYI]: {filler} {filler} [?{cws} ]Ping me {reltime} if {kin} needs anything.", kind="neg")
add("ho_neg_receipt", "receipt", "heldout",
    "RECEIPT {inv}\n{n}x {prod} {price}\nSUBTOTAL {price}\nVAT {pct}\nTOTAL {price}\nCard ending {lastfour}\n{cws}", kind="neg")
add("ho_neg_log", "app_log", "heldout", lambda d, c: _log_lines(d, c, [
    "{ts} \\[warn\\] worker {n} restarted (version {ver})", "{ts} GET {path} {status} {ms}ms req={uuid}"]), kind="neg")

HELDOUT_ONLY = ("referral_letter", "yaml_config", "news", "receipt")
