"""Stable reason codes: the status each one implies and the Thai note shown to agencies.

A row's status is the worst status implied by its reasons (or the checker's status).
Codes are part of the sheet's contract: never rename one, only add.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheets_sync.core.models import Status, worst


@dataclass(frozen=True)
class Reason:
    code: str
    status: Status
    note_th: str


_ALL = [
    # validation (no network)
    Reason("missing_scheme", Status.WARNING,
           "URL ไม่มี http:// หรือ https:// นำหน้า ระบบตรวจเป็น http:// ให้ใส่ https:// (หรือ http://) ให้ครบ"),
    Reason("scheme_slashes", Status.WARNING,
           "ส่วนต้นของลิงก์พิมพ์ไม่ถูกต้อง (ต้องเป็น https:// หรือ http:// ตัวอักษรปกติ มี / สองตัว และพิมพ์ครั้งเดียว) "
           "ระบบตรวจลิงก์ที่ตั้งใจให้แล้ว แต่เมื่อเป็นลิงก์ในระบบ ITAS อาจเปิดไม่ได้ ให้คัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์ใหม่"),
    Reason("bad_scheme", Status.INVALID,
           "ไม่ใช่ลิงก์เว็บไซต์ (ต้องขึ้นต้นด้วย http:// หรือ https://) ให้คัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์"),
    Reason("malformed", Status.INVALID,
           "URL ไม่ถูกต้อง (ชื่อเว็บไซต์หรือพอร์ตผิดรูปแบบ หรือมีช่องว่าง) ให้คัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์ใหม่"),
    Reason("too_long", Status.INVALID,
           "ข้อความยาวเกิน 2,000 ตัวอักษร ให้ใส่เฉพาะ URL ของหน้าที่เผยแพร่ข้อมูล"),
    Reason("formula", Status.WARNING,
           "ช่องนี้เป็นสูตร (เช่น =HYPERLINK) ระบบตรวจ URL ในสูตรให้ แต่ควรวาง URL เป็นข้อความธรรมดา"),
    # "&amp;" in a query (a link copied from a page's HTML source or an e-mail): the browser sends
    # it as typed and the site may show another page. Checked as typed, and as fixed when that fails.
    Reason("escaped_ampersand", Status.WARNING,
           "URL มี &amp; หรือ &#038; (รหัสของเครื่องหมาย & ในโค้ดหน้าเว็บ มักติดมาเมื่อคัดลอกจากโค้ดหรืออีเมล) เว็บไซต์อาจ"
           "เปิดหน้าอื่นแทนหน้าข้อมูล ให้แก้เป็น & หรือเปิดหน้าข้อมูลแล้วคัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์ใหม่"),
    # A link pasted as its HTML source ('<a href="…">…</a>', a CMS's code view): its href is checked
    # (collect/cells.py), but the cell as typed is no URL the assessor could open.
    Reason("html_link", Status.WARNING,
           "ช่องนี้เป็นโค้ดลิงก์ของหน้าเว็บ (HTML เช่น <a href=...>) ระบบตรวจลิงก์ในโค้ดให้แล้ว แต่ผู้ประเมินต้องได้รับ URL "
           "อย่างเดียว ให้ใส่เฉพาะ URL โดยเปิดหน้าข้อมูลแล้วคัดลอกจากแถบที่อยู่ของเบราว์เซอร์"),
    # A space right after a "/" of the path ("…/uploads/ O1.pdf", a PDF's line break copied as a space):
    # read away (collect/cells.py); as typed the link is "…/%20O1.pdf", which the assessor would be given.
    Reason("space_in_path", Status.WARNING,
           "ลิงก์มีช่องว่างหลังเครื่องหมาย / (มักติดมาเมื่อคัดลอกลิงก์ที่ขึ้นบรรทัดใหม่จากไฟล์ PDF หรือเอกสาร) ลิงก์ตามที่พิมพ์เปิดไม่ได้ "
           "ระบบตรวจลิงก์ที่ตัดช่องว่างออกแล้วให้ ให้ลบช่องว่างออก หรือเปิดหน้าข้อมูลแล้วคัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์ใหม่"),
    # A split sara am (ํา, copied from a PDF) in the link: as typed it does not open, composed it does
    # (collect/cells.py checks both). The assessor would be given the link as typed.
    Reason("sara_am_split", Status.WARNING,
           "ลิงก์มีสระอำที่ถูกแยกเป็นสองตัวอักษร (นิคหิต ํ กับสระ า มักติดมาเมื่อคัดลอกจากไฟล์ PDF) ลิงก์ตามที่พิมพ์เปิดไม่ได้ "
           "ระบบตรวจลิงก์ที่แก้สระอำแล้วให้ ให้เปิดหน้าข้อมูลแล้วคัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์ใหม่ หรือพิมพ์สระอำใหม่"),
    # The URL cell shows one address and links to another (collect/cells.py checks both readings):
    # the shown one does not open, the link does. The assessor is given the address as shown.
    Reason("shown_address_broken", Status.WARNING,
           "ที่อยู่ที่แสดงในช่อง URL เปิดไม่ได้ แต่ลิงก์ที่ฝังอยู่ในช่องนี้เปิดได้ (ระบบตรวจตามลิงก์ที่ฝังไว้) ผู้ประเมินจะได้รับที่อยู่ตามที่แสดง "
           "ให้แก้ข้อความในช่อง URL เป็นที่อยู่ที่ถูกต้อง (คลิกขวาที่ช่อง > แก้ไขลิงก์ เพื่อดูที่อยู่ของลิงก์)"),
    # A link shown shortened with "…" (Facebook, LINE, a document's display) and copied so: no
    # real address holds the character; checked as typed, it is nearly always "not found".
    Reason("truncated_link", Status.WARNING,
           "ลิงก์นี้มีเครื่องหมาย … แสดงว่าถูกตัดให้สั้นตอนคัดลอก (เช่น จาก Facebook, LINE หรือเอกสาร) ผู้ประเมินอาจเปิดไม่ได้ "
           "ให้เปิดหน้าข้อมูลแล้วคัดลอก URL เต็มจากแถบที่อยู่ของเบราว์เซอร์มาใส่แทน"),
    # Google's breadcrumb of an address ("https://www.x.go.th › ita › o1") copied from its results: a display
    # of part of the address, which may hold no "…" (truncated_link's note speaks of one). collect/cells.py
    # checks it joined by "/" and as the site alone; as typed it opens nothing on ITAS.
    Reason("breadcrumb_link", Status.WARNING,
           "ลิงก์นี้คัดลอกมาจากผลการค้นหาของ Google (แสดงเป็น ชื่อเว็บไซต์ › ส่วนของที่อยู่) ซึ่งไม่ใช่ที่อยู่เต็มของหน้า "
           "ผู้ประเมินอาจเปิดไม่ได้ ให้เปิดหน้าข้อมูลแล้วคัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์มาใส่แทน ไม่ใช่คัดลอกจากผลการค้นหาของ Google"),
    # A link copied from a Facebook post, a Google Doc or an Outlook e-mail is the platform's
    # redirect page with the real address inside (collect/cells.py checks that address).
    Reason("wrapped_link", Status.WARNING,
           "ลิงก์นี้ผ่านหน้าเปลี่ยนทางของ Facebook, Google หรือ Outlook (คัดลอกมาจากโพสต์ เอกสาร หรืออีเมล) ผู้ประเมินอาจเปิดไม่ได้"
           "หรือเห็นหน้าเตือนก่อน ระบบตรวจลิงก์จริงข้างในให้แล้ว ให้เปิดหน้าข้อมูลแล้วคัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์มาใส่แทน"),
    Reason("homepage_only", Status.WARNING,
           "เป็นลิงก์หน้าแรกของเว็บไซต์ ผู้ประเมินต้องการลิงก์ของหน้าที่แสดงข้อมูลข้อนี้โดยตรง"),
    # The link is a page's, but the site sends the browser on to its home page (a page moved or
    # removed in a redesign, a redirect rule that drops the path).
    Reason("redirected_home", Status.WARNING,
           "ลิงก์นี้พาไปที่หน้าแรกของเว็บไซต์ (หน้าเดิมอาจถูกย้ายหรือลบ) ผู้ประเมินต้องการลิงก์ของหน้าที่แสดงข้อมูลข้อนี้โดยตรง "
           "ให้เปิดหน้าข้อมูลแล้วคัดลอก URL จากแถบที่อยู่ของเบราว์เซอร์"),
    Reason("off_site", Status.WARNING,
           "ลิงก์อยู่นอกเว็บไซต์หลักของหน่วยงาน ข้อมูลต้องเผยแพร่บนเว็บไซต์หลักของหน่วยงาน"),
    # A link shortener's address (bit.ly ...): Thai addresses are long once encoded, so agencies
    # shorten them; where it leads is known only by following it, and shorteners expire.
    Reason("short_link", Status.WARNING,
           "เป็นลิงก์ย่อ (เช่น bit.ly) ผู้ประเมินต้องการ URL ของหน้าที่เผยแพร่ข้อมูลบนเว็บไซต์หน่วยงาน และลิงก์ย่ออาจหมดอายุ "
           "ให้เปิดลิงก์แล้วคัดลอก URL เต็มจากแถบที่อยู่ของเบราว์เซอร์มาใส่แทน"),
    Reason("duplicate_in_agency", Status.WARNING,
           "ใช้ URL เดียวกันกับข้ออื่นของหน่วยงานเดียวกัน ตรวจว่าแต่ละข้อชี้ไปยังข้อมูลของข้อนั้นจริง"),
    # network
    Reason("dns_error", Status.BROKEN,
           "ไม่พบชื่อเว็บไซต์นี้ (DNS) ตรวจการสะกดชื่อโดเมน หรือติดต่อผู้ดูแลเว็บไซต์"),
    Reason("connect_error", Status.BROKEN,
           "เชื่อมต่อเว็บไซต์ไม่ได้ เว็บไซต์อาจปิดอยู่ ให้แจ้งผู้ดูแลเว็บไซต์"),
    Reason("timeout", Status.BROKEN,
           "เว็บไซต์ตอบช้าเกินกำหนด ผู้ประเมินอาจเปิดไม่ได้ ให้แจ้งผู้ดูแลเว็บไซต์"),
    Reason("tls_error", Status.BROKEN,
           "เปิดแบบปลอดภัย (https) ไม่ได้ ใบรับรองความปลอดภัย (SSL) มีปัญหา ให้แจ้งผู้ดูแลเว็บไซต์"),
    Reason("http_4xx", Status.BROKEN,
           "เปิดแล้วพบข้อผิดพลาด (ไม่พบหน้า หรือไม่มีสิทธิ์เข้าถึง) ตรวจว่าลิงก์ถูกต้องและเปิดเป็นสาธารณะ"),
    # A page sent with 404 or 410 that shows content of its own (check/content.shown_despite_status):
    # a browser shows it, but tools (and search engines) take the status as "not found".
    Reason("error_status_page", Status.WARNING,
           "หน้านี้เปิดแสดงข้อมูลได้ แต่เว็บไซต์ส่งรหัส \"ไม่พบหน้า\" (404 หรือ 410) มาพร้อมหน้า เครื่องมือตรวจลิงก์และเครื่องมือค้นหา"
           "จะถือว่าลิงก์เสีย ให้แจ้งผู้ดูแลเว็บไซต์แก้ให้หน้านี้ตอบรหัสปกติ (200)"),
    # A page sent with 500 that shows content of its own (check/content.shown_despite_status): PHP
    # sends 500 for a fatal error after the page was written; a browser shows what was written.
    Reason("page_sent_with_500", Status.WARNING,
           "หน้านี้เปิดแสดงข้อมูลได้ แต่เว็บไซต์ส่งรหัสข้อผิดพลาดของเซิร์ฟเวอร์ (500) มาพร้อมหน้า ส่วนท้ายของหน้าอาจแสดงไม่ครบ "
           "และเครื่องมือตรวจลิงก์จะถือว่าลิงก์เสีย ให้ตรวจว่าหน้าแสดงข้อมูลครบ และแจ้งผู้ดูแลเว็บไซต์ตรวจบันทึกข้อผิดพลาด (error log)"),
    Reason("http_5xx", Status.BROKEN,
           "เว็บไซต์ขัดข้อง (Server error) ให้แจ้งผู้ดูแลเว็บไซต์ ระบบจะตรวจซ้ำในรอบถัดไป"),
    # A URL that opened at its last check and now gets no answer (check/outages.py): not yet "broken".
    Reason("not_answering", Status.UNKNOWN,
           "เว็บไซต์ไม่ตอบในรอบตรวจนี้ (ครั้งก่อนเปิดได้) อาจขัดข้องชั่วคราว ระบบจะตรวจซ้ำในรอบถัดไป "
           "หากยังเปิดไม่ได้จะแจ้งว่าเปิดไม่ได้ ให้ลองเปิดลิงก์ด้วยตนเอง"),
    # Not requested: its site answered none of this run's first requests (check/dispatch.py).
    Reason("site_not_answering", Status.UNKNOWN,
           "เว็บไซต์นี้ไม่ตอบในรอบตรวจนี้ (ลิงก์อื่นของเว็บไซต์เดียวกันเปิดไม่ได้หรือรอนานเกินกำหนด) ระบบจึงยังไม่ได้ตรวจลิงก์นี้ "
           "จะตรวจซ้ำในรอบถัดไป หากเว็บไซต์ยังเปิดไม่ได้ ให้แจ้งผู้ดูแลเว็บไซต์"),
    # The page is the site's answer for every address, and it is a maintenance notice (check/content.py):
    # the link may be right; not stored over the last real result (check/cache.py).
    Reason("site_maintenance", Status.UNKNOWN,
           "เว็บไซต์แสดงหน้าแจ้งปิดปรับปรุงแทนทุกหน้า จึงตรวจลิงก์นี้ไม่ได้ในรอบนี้ ระบบจะตรวจซ้ำในรอบถัดไป "
           "หากเว็บไซต์ปิดปรับปรุงนานเกินหนึ่งวัน ให้แจ้งผู้ดูแลเว็บไซต์ เพราะผู้ประเมินจะเปิดข้อมูลไม่ได้"),
    Reason("rate_limited", Status.UNKNOWN,
           "เว็บไซต์ขอให้ลดความถี่การเข้าถึง ระบบจะตรวจซ้ำในรอบถัดไป"),
    Reason("too_many_redirects", Status.BROKEN,
           "ลิงก์ส่งต่อ (redirect) หลายทอดเกินไป ให้ใช้ URL ปลายทางที่เปิดข้อมูลได้โดยตรง"),
    Reason("redirect_loop", Status.BROKEN,
           "ลิงก์ส่งต่อวนซ้ำไม่สิ้นสุด เปิดไม่ได้ ให้แจ้งผู้ดูแลเว็บไซต์"),
    Reason("redirect_not_http", Status.BROKEN,
           "ลิงก์ส่งต่อ (redirect) ไปยังที่อยู่ที่ไม่ใช่หน้าเว็บ (เช่น file:, ftp:, javascript:) ผู้ประเมินเปิดไม่ได้ "
           "ให้แจ้งผู้ดูแลเว็บไซต์แก้การส่งต่อ หรือใช้ URL ของหน้าที่เปิดข้อมูลได้โดยตรง"),
    Reason("header_too_large", Status.BROKEN,
           "เว็บไซต์ตอบกลับด้วยส่วนหัว (HTTP header) ที่ยาวหรือมากผิดปกติ เบราว์เซอร์ของผู้ประเมินอาจเปิดไม่ได้ "
           "ให้แจ้งผู้ดูแลเว็บไซต์"),
    Reason("https_only", Status.WARNING,
           "ลิงก์แบบ http:// เปิดไม่ได้ แต่เปิดได้เมื่อใช้ https:// (เบราว์เซอร์ส่วนใหญ่เปลี่ยนให้เอง) "
           "ให้แก้ลิงก์ในช่องนี้ให้ขึ้นต้นด้วย https:// เพื่อให้ผู้ประเมินทุกคนเปิดได้"),
    Reason("too_large", Status.WARNING,
           "ไฟล์มีขนาดใหญ่มาก ผู้ประเมินอาจเปิดได้ช้า ระบบตรวจเนื้อหาได้ไม่ครบ ควรลดขนาดไฟล์"),
    Reason("check_failed", Status.UNKNOWN,
           "ระบบตรวจลิงก์นี้ไม่สำเร็จ จะตรวจซ้ำในรอบถัดไป"),
    Reason("stage_timeout", Status.UNKNOWN,
           "รอบนี้ระบบตรวจลิงก์นี้ไม่เสร็จภายในเวลาที่กำหนดของรอบ (มีเว็บไซต์อื่นตอบช้า) ยังไม่ได้ผลตรวจ "
           "ระบบจะตรวจลิงก์นี้ก่อนลิงก์อื่นในรอบถัดไป"),
    Reason("checker_offline", Status.UNKNOWN,
           "ระบบตรวจออกอินเทอร์เน็ตไม่ได้ในรอบนี้ ผลเดิมยังคงอยู่ จะตรวจซ้ำในรอบถัดไป"),
    Reason("private_address", Status.BLOCKED,
           "ลิงก์ชี้ไปยังเครือข่ายภายใน ระบบไม่อนุญาตให้ตรวจ ให้ใช้ URL สาธารณะของเว็บไซต์หน่วยงาน"),
    # A public page that redirects to an address inside a network, told without DNS (an IP
    # literal, localhost): broken for every visitor from outside (check/fetcher.py).
    Reason("redirect_private", Status.BROKEN,
           "ลิงก์นี้ส่งต่อ (redirect) ไปยังที่อยู่ในเครือข่ายภายใน (เช่น 192.168.x.x หรือ localhost) ผู้ประเมินภายนอกจะเปิดไม่ได้ "
           "แม้จะเปิดได้จากในสำนักงาน ให้แจ้งผู้ดูแลเว็บไซต์ตั้งค่าที่อยู่เว็บไซต์ (เช่น Site URL ของ WordPress) เป็นชื่อโดเมนสาธารณะ"),
    Reason("tls_invalid", Status.WARNING,
           "เว็บไซต์เปิดได้ แต่ใบรับรองความปลอดภัย (SSL) ไม่ถูกต้องหรือหมดอายุ เบราว์เซอร์ของผู้ประเมินอาจขึ้นคำเตือน "
           "ให้แจ้งผู้ดูแลเว็บไซต์ต่ออายุหรือติดตั้งใบรับรองให้ครบ"),
    Reason("bot_blocked", Status.UNKNOWN,
           "เว็บไซต์หรือไฟร์วอลล์ของเว็บไซต์ปฏิเสธการเข้าถึงจากระบบตรวจอัตโนมัติ ให้ลองเปิดด้วยเบราว์เซอร์ หากเปิดไม่ได้ให้ตรวจสิทธิ์การเข้าถึง"),
    # content (the page answered, but what it shows is not what evaluators need)
    Reason("soft_404", Status.BROKEN,
           "เปิดแล้วเป็นหน้า \"ไม่พบหน้า/ไม่พบข้อมูล\" ของเว็บไซต์ ไม่ใช่ข้อมูลของข้อนี้ ตรวจว่าลิงก์ถูกต้อง"),
    # A page that is the site's program failing, sent with 200 (check/errorpages.py): the site is
    # broken, not the link or the year.
    Reason("server_error_page", Status.BROKEN,
           "เปิดแล้วพบเพียงข้อความแจ้งข้อผิดพลาดของระบบเว็บไซต์ (เช่น Fatal error หรือเชื่อมต่อฐานข้อมูลไม่ได้) แทนข้อมูล "
           "ผู้ประเมินจะไม่เห็นข้อมูล ให้แจ้งผู้ดูแลเว็บไซต์แก้ไข ระบบจะตรวจซ้ำในรอบถัดไป"),
    Reason("error_on_page", Status.WARNING,
           "หน้านี้แสดงข้อความแจ้งข้อผิดพลาดของระบบเว็บไซต์ (เช่น Fatal error หรือเชื่อมต่อฐานข้อมูลไม่ได้) "
           "ข้อมูลบางส่วนของหน้าอาจไม่แสดง ให้แจ้งผู้ดูแลเว็บไซต์แก้ไข"),
    # The hosting provider's or registrar's page instead of the site (check/errorpages.py).
    Reason("hosting_page", Status.BROKEN,
           "เปิดแล้วเป็นหน้าของผู้ให้บริการเว็บไซต์ ไม่ใช่เว็บไซต์ของหน่วยงาน (เช่น บัญชีโฮสติ้งถูกระงับ โดเมนหมดอายุ "
           "หรือหน้าเริ่มต้นของเซิร์ฟเวอร์) ผู้ประเมินจะไม่เห็นข้อมูล ให้แจ้งผู้ดูแลเว็บไซต์ตรวจการต่ออายุโฮสติ้งและโดเมน"),
    # An intruder's page over the site's ("Hacked by ...", check/errorpages.py).
    Reason("defaced_page", Status.BROKEN,
           "เปิดแล้วพบหน้าที่ผู้บุกรุกเปลี่ยนแทนเว็บไซต์ (เช่น \"Hacked by ...\") ผู้ประเมินจะไม่เห็นข้อมูล "
           "ให้แจ้งผู้ดูแลเว็บไซต์โดยด่วน และแจ้งเหตุต่อ ThaiCERT"),
    # A gambling site's page where the agency's was: a lapsed domain bought, or a hacked site (check/errorpages.py).
    Reason("gambling_page", Status.BROKEN,
           "เปิดแล้วพบหน้าเว็บพนันออนไลน์แทนข้อมูลของหน่วยงาน (เว็บไซต์อาจถูกเจาะ หรือโดเมนหมดอายุแล้วมีผู้อื่นนำไปใช้) "
           "ผู้ประเมินจะไม่เห็นข้อมูล ให้แจ้งผู้ดูแลเว็บไซต์โดยด่วน ตรวจการต่ออายุโดเมน และแจ้งเหตุต่อ ThaiCERT"),
    # A page whose Thai the browser shows as gibberish: its named character set is not its bytes' (check/charsets.py).
    Reason("garbled_text", Status.WARNING,
           "หน้านี้เปิดได้ แต่ภาษาไทยแสดงเป็นตัวอักษรอ่านไม่ออกในเบราว์เซอร์ (ชุดอักขระที่เว็บไซต์ระบุ เช่น charset=UTF-8 "
           "ไม่ตรงกับไฟล์ที่บันทึกเป็น TIS-620 หรือกลับกัน) ผู้ประเมินอาจอ่านข้อมูลไม่ได้ ให้แจ้งผู้ดูแลเว็บไซต์แก้การตั้งค่า charset"),
    # An item page whose files, its content, are all "not found" (check/content.file_not_found).
    Reason("linked_file_missing", Status.WARNING,
           "หน้านี้ลิงก์หรือแสดงไฟล์เอกสาร แต่เปิดไฟล์ไม่ได้ (เว็บไซต์แจ้งว่าไม่พบไฟล์) ผู้ประเมินจะไม่เห็นข้อมูล "
           "ให้อัปโหลดไฟล์อีกครั้งและตรวจลิงก์ในหน้านี้"),
    Reason("login_required", Status.BROKEN,
           "เปิดแล้วต้องเข้าสู่ระบบ (เช่น ไฟล์ Google Drive ที่ไม่ได้แชร์เป็นสาธารณะ) ผู้ประเมินจะเปิดไม่ได้ "
           "ให้ตั้งค่าเป็น \"ทุกคนที่มีลิงก์\" หรือเผยแพร่บนเว็บไซต์หน่วยงาน"),
    # A sign-in wall at an address of the site's back office (check/content.back_office): the
    # editor's address, copied from a browser signed in to the CMS.
    Reason("admin_page", Status.BROKEN,
           "ลิงก์นี้เป็นหน้าสำหรับผู้ดูแลเว็บไซต์ (หลังบ้าน) ที่ต้องเข้าสู่ระบบ ผู้ประเมินจะเปิดไม่ได้ ให้เปิดหน้าข้อมูลนี้จากหน้าเว็บไซต์"
           "ที่บุคคลทั่วไปเห็น แล้วคัดลอกลิงก์จากช่องที่อยู่ของเบราว์เซอร์มาวางแทน"),
    Reason("wrong_type", Status.BROKEN,
           "ลิงก์ควรเป็นไฟล์เอกสาร (เช่น PDF) แต่เปิดแล้วได้หน้าเว็บแจ้งข้อผิดพลาดหรือไฟล์ว่าง ตรวจว่าอัปโหลดไฟล์ครบและลิงก์ถูกต้อง"),
    # A PDF or office file sent as a web page (check/content.sent_as_page): the browser shows gibberish.
    Reason("file_sent_as_page", Status.BROKEN,
           "ไฟล์เอกสารนี้ถูกส่งมาในรูปแบบหน้าเว็บ (Content-Type: text/html) เบราว์เซอร์ของผู้ประเมินจะแสดงเป็นตัวอักษรอ่านไม่ออก"
           "แทนเอกสาร ให้แจ้งผู้ดูแลเว็บไซต์แก้การตั้งค่าประเภทไฟล์ (เช่น application/pdf) หรืออัปโหลดเป็นไฟล์ .pdf โดยตรง"),
    # Bytes a browser shows as gibberish where a page should be: a page compressed twice under one
    # Content-Encoding (a cache plugin's stored .gz compressed again by the server), an image or
    # an archive sent as text/html (check/content.binary_page).
    Reason("binary_page", Status.BROKEN,
           "เปิดแล้วเบราว์เซอร์แสดงเป็นตัวอักษรอ่านไม่ออก (เว็บไซต์ส่งข้อมูลที่บีบอัดซ้ำหรือไฟล์ที่ไม่ใช่หน้าเว็บมาในรูปแบบหน้าเว็บ) "
           "ผู้ประเมินจะไม่เห็นข้อมูล ให้แจ้งผู้ดูแลเว็บไซต์ตรวจการตั้งค่าการบีบอัด (gzip) หรือปลั๊กอินแคชของเว็บไซต์"),
    # A notice that the item's data is not there yet (check/placeholder.py).
    Reason("placeholder_page", Status.WARNING,
           "หน้านี้แจ้งว่าอยู่ระหว่างจัดทำหรือยังไม่มีข้อมูล ผู้ประเมินจะไม่พบข้อมูลของข้อนี้ ให้เผยแพร่ข้อมูลจริงในหน้านี้ก่อนกำหนดส่ง"),
    Reason("empty_page", Status.WARNING,
           "หน้านี้แทบไม่มีข้อความ ผู้ประเมินอาจไม่พบข้อมูล ตรวจว่าลิงก์ชี้ไปยังหน้าที่แสดงข้อมูลจริง"),
    # {years} and {wanted} come from the item's year rule (sheets_sync.check.years.note_values).
    Reason("no_fiscal_year", Status.WARNING,
           "ไม่พบปี {years} ในหน้าหรือเอกสาร อาจเป็นข้อมูลปีเก่า ตรวจว่าเป็นข้อมูล{wanted}"),
    # The page shows the years only in its site's template (CheckResult.template_years): the
    # agency sees "2566" on the page, so "not found" alone would read as a mistake of ours.
    Reason("year_only_in_template", Status.WARNING,
           "พบปี {years} เฉพาะในส่วนที่เว็บไซต์แสดงเหมือนกันทุกหน้า (เช่น วันที่ด้านบน เมนู ข่าวล่าสุด หรือลิขสิทธิ์ท้ายหน้า) "
           "แต่ไม่พบในเนื้อหาของหน้านี้หรือในไฟล์ที่หน้านี้แสดง อาจเป็นข้อมูลปีเก่า ตรวจว่าเนื้อหาเป็นข้อมูล{wanted}"),
    # A PDF with a password to open it (check/pdftext.wants_password): the assessor's viewer asks for it.
    Reason("pdf_password", Status.BROKEN,
           "ไฟล์ PDF นี้ตั้งรหัสผ่านสำหรับเปิดไฟล์ไว้ ผู้ประเมินจะเปิดอ่านไม่ได้ ให้บันทึกไฟล์ใหม่โดยไม่ตั้งรหัสผ่านเปิดไฟล์ "
           "(ตั้งได้เฉพาะรหัสป้องกันการแก้ไข) แล้วอัปโหลดแทน"),
    Reason("pdf_unreadable", Status.WARNING,
           "ระบบเปิดไฟล์ PDF นี้ไม่ได้ ไฟล์อาจเสียหายหรืออัปโหลดไม่ครบ ให้ลองเปิดไฟล์ด้วยตนเอง "
           "หากเปิดไม่ได้ให้อัปโหลดไฟล์ใหม่"),
    Reason("unverifiable_content", Status.OK,
           "ระบบอ่านข้อความในไฟล์ไม่ได้ (เช่น ไฟล์สแกนเป็นภาพ) ให้ตรวจด้วยตนเองว่าเป็นข้อมูล{wanted}"),
    # A large PDF read only in part, out of time or memory (sheets_sync.check.bodies): checked
    # again next run, whatever its status.
    Reason("document_unread", Status.OK,
           "ไฟล์มีขนาดใหญ่หรือเว็บไซต์ส่งไฟล์ช้า ระบบอ่านไฟล์ได้ไม่ครบในรอบนี้ จึงยังไม่ได้ตรวจปีของข้อมูล "
           "ให้ตรวจด้วยตนเองว่าเป็นข้อมูล{wanted} ระบบจะอ่านไฟล์อีกครั้งในรอบถัดไป"),
    Reason("tls_chain_incomplete", Status.OK,
           "เว็บไซต์เปิดได้ตามปกติในเบราว์เซอร์ แต่ติดตั้งใบรับรองความปลอดภัย (SSL) ไม่ครบชุด (ขาดใบรับรองกลาง) "
           "บางโปรแกรมหรืออุปกรณ์อาจเปิดไม่ได้ ให้แจ้งผู้ดูแลเว็บไซต์ติดตั้งใบรับรองกลางให้ครบ"),
    # A page whose scripts draw all its content (a single-page application): a bot reads only its
    # title, and a site drawn that way answers every path with the same page, so neither "no
    # 2566" nor "not found" can be told from it.
    Reason("script_page", Status.OK,
           "หน้านี้แสดงเนื้อหาด้วยสคริปต์ ระบบตรวจอัตโนมัติอ่านเนื้อหาไม่ได้ ให้เปิดด้วยเบราว์เซอร์และตรวจด้วยตนเองว่าแสดงข้อมูล{wanted}"),
    # An item link sent on to a cookie-consent (PDPA) wall (check/consent.py): the item's page is
    # behind the accept button; script_page's "drawn by a script" named the wrong reason.
    Reason("consent_wall", Status.OK,
           "ลิงก์นี้เปิดไปที่หน้าขอความยินยอมการใช้คุกกี้ (PDPA) ก่อนถึงหน้าข้อมูล ระบบตรวจอัตโนมัติจึงอ่านหน้าข้อมูลไม่ได้ "
           "ให้เปิดด้วยเบราว์เซอร์ กดยอมรับ แล้วตรวจด้วยตนเองว่าแสดงข้อมูล{wanted}"),
    Reason("unverifiable_platform", Status.OK,
           "ลิงก์อยู่บนแพลตฟอร์มที่ระบบตรวจอัตโนมัติไม่ได้ (เช่น Facebook, YouTube) ให้ตรวจด้วยตนเองว่าเปิดเป็นสาธารณะ"),
]

REASONS: dict[str, Reason] = {r.code: r for r in _ALL}
# Notes that only ask for a look by hand at the year: left out for an item without a year rule.
YEAR_LOOKS = frozenset({"unverifiable_content"})


def status_of(codes) -> Status:
    """The worst status the given reason codes imply (OK when none)."""
    return worst([REASONS[c].status for c in codes if c in REASONS]) if codes else Status.OK


# What a placeholder says when the row's year rule is not given.
DEFAULT_VALUES = {"years": "ที่ข้อนี้กำหนด", "wanted": "ของปีที่ข้อนี้กำหนด"}


def note_th(codes, values: dict[str, str] | None = None) -> str:
    """The Thai note for a set of reason codes, one line each, in a stable order; `values`
    fill the placeholders ({years}, {wanted}) of the year notes."""
    seen = []
    for code in codes:
        if code in REASONS and code not in seen:
            seen.append(code)
    return "\n".join(f"• {fill(REASONS[c].note_th, values)}" for c in seen)


def fill(text: str, values: dict[str, str] | None = None) -> str:
    for key, default in DEFAULT_VALUES.items():
        text = text.replace("{" + key + "}", (values or {}).get(key, default))
    return text


def markdown_table() -> str:
    """The README's table of reason codes (regenerate with `make docs`)."""
    lines = ["| reason | status | Thai note shown to agencies |", "|---|---|---|"]
    lines += [f"| `{r.code}` | `{r.status.value}` | {r.note_th} |" for r in _ALL]
    return "\n".join(lines)


def update_readme(path: str = "README.md") -> bool:
    """Rewrites the table between the reasons-table markers; True when the file changed."""
    start, end = "<!-- reasons-table:start -->", "<!-- reasons-table:end -->"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    new = f"{head}{start}\n{markdown_table()}\n{end}{tail}"
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    return new != text


if __name__ == "__main__":
    update_readme()
